import { z } from 'zod';
import { RegistryError, tokenRevokedWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { requestId } from './schemas.js';
import { tokenName } from './token-secret.js';

/** Revokes a token by name; connections that authenticated with it lose its role at their next call. */
export const tokenRevoke = defineOperation({
  name: 'token_revoke',
  role: 'admin',
  kind: 'write',
  summary: 'revoke a bearer token; connections using it lose its role at once',
  input: z.strictObject({ name: tokenName, request_id: requestId }),
  output: tokenRevokedWire,
  async handle(input, ctx): Promise<{ readonly name: string; readonly revoked: true }> {
    await ctx.store.write(async (tx) => {
      if (!(await tx.tokens.delete(input.name))) {
        throw new RegistryError('not_found', `no token named '${input.name}'`, { details: { name: input.name } });
      }
    });
    return { name: input.name, revoked: true };
  },
});
