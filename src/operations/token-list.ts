import { z } from 'zod';
import { tokenListWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';
import { type TokenOutput, tokenOutput } from './token-secret.js';

/** Every token by name, with its role and age; never a secret or a hash. */
export const tokenList = defineOperation({
  name: 'token_list',
  role: 'admin',
  kind: 'read',
  summary: 'list bearer tokens (names and roles, never secrets)',
  input: z.strictObject({ consistency: readConsistency }),
  output: tokenListWire,
  async handle(_input, ctx): Promise<readonly TokenOutput[]> {
    return ctx.store.tokens.list().map(tokenOutput);
  },
});
