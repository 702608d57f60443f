import { z } from 'zod';
import { grantedRoles, RegistryError, tokenCreatedWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { hashTokenSecret, newTokenSecret, tokenName, type TokenOutput, tokenOutput } from './token-secret.js';

export interface TokenCreated extends TokenOutput {
  /** The secret: answered this once, stored only as its SHA-256. */
  readonly token: string;
}

/** Creates a bearer token with a role; its secret is answered once and never stored. */
export const tokenCreate = defineOperation({
  name: 'token_create',
  role: 'admin',
  kind: 'other',
  summary: 'create a bearer token with a role; the secret is answered once and stored hashed',
  input: z.strictObject({ name: tokenName, role: z.enum(grantedRoles) }),
  output: tokenCreatedWire,
  async handle(input, ctx): Promise<TokenCreated> {
    const secret = newTokenSecret();
    const record = { name: input.name, role: input.role, hash: hashTokenSecret(secret), createdAt: ctx.clock.now() };
    await ctx.store.write(async (tx) => {
      if ((await tx.tokens.get(input.name)) !== undefined) {
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
