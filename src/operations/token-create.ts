import { z } from 'zod';
import { grantedRoles, RegistryError, tokenCreatedWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { hashTokenSecret, liveToken, newTokenSecret, tokenName, type TokenOutput, tokenOutput } from './token-secret.js';

export interface TokenCreated extends TokenOutput {
  /** The secret: answered this once, stored only as its SHA-256. */
  readonly token: string;
}

/** The longest lifetime a token may be given: a year. Without `ttl` it never expires. */
const MAX_TOKEN_TTL_SECONDS = 366 * 86_400;

/** Creates a bearer token with a role, for ever or for `ttl` seconds; its secret is answered once and never stored. */
export const tokenCreate = defineOperation({
  name: 'token_create',
  role: 'admin',
  kind: 'other',
  summary: 'create a bearer token with a role, for ever or for ttl seconds; the secret is answered once and stored hashed',
  input: z.strictObject({
    name: tokenName,
    role: z.enum(grantedRoles),
    ttl: z.number().int('must be whole seconds').min(1, 'must be at least 1 second').max(MAX_TOKEN_TTL_SECONDS, 'must be at most 366 days').nullish(),
  }),
  output: tokenCreatedWire,
  async handle(input, ctx): Promise<TokenCreated> {
    const secret = newTokenSecret();
    const createdAt = ctx.clock.now();
    const record = {
      name: input.name,
      role: input.role,
      hash: hashTokenSecret(secret),
      createdAt,
      ...(input.ttl == null ? {} : { expiresAt: createdAt + input.ttl * 1000 }),
    };
    await ctx.store.write(async (tx) => {
      // An expired token the sweeper has not removed yet gives its name up.
      if (liveToken(await tx.tokens.get(input.name), createdAt) !== undefined) {
        const message = `a token named '${input.name}' exists; revoke it first or choose another name`;
        throw new RegistryError('invalid_params', `invalid params: name: ${message}`, {
          details: { fields: [{ path: 'name', message }] },
        });
      }
      await tx.tokens.put(record);
    });
    return { ...tokenOutput(record), token: secret };
  },
});
