import { z } from 'zod';
import { authenticatedWire, RegistryError, type Role } from '../domain/index.js';
import { defineOperation } from './define.js';
import { tokenSecret } from './token-secret.js';

export interface AuthenticateOutput {
  /** The role the connection holds from now on: the highest of its credentials. */
  readonly role: Role;
  /** Where that role comes from (`token:ci`, `certificate:alice`, `loopback`). */
  readonly via: string;
}

/**
 * Presents a bearer token in a frame, for clients that cannot set an Authorization header on the
 * upgrade (browsers). Open to callers without credentials: that is its purpose. Never put a token
 * in the URL; URLs end up in logs.
 */
export const authenticate = defineOperation({
  name: 'authenticate',
  role: 'none',
  kind: 'other',
  summary: "present a bearer token on this connection; raises the connection's role",
  input: z.strictObject({ token: tokenSecret }),
  output: authenticatedWire,
  async handle(input, ctx): Promise<AuthenticateOutput> {
    if (ctx.credentials === undefined) {
      throw new RegistryError('unavailable', 'this call does not come over a connection that can hold credentials');
    }
    const principal = ctx.credentials.presentToken(input.token);
    return { role: principal.role, via: principal.via };
  },
});
