import { isLoopback, type Role, roleAllows } from '../domain/index.js';
import type { Principal } from '../operations/index.js';

export interface AuthSettings {
  readonly loopbackRole: Role;
  readonly anonymousRole: Role;
}

/** A program (no `Origin`), a browser page, or a connection whose upgrade was never checked (a wiring fault: no role). */
export type CallerKind = 'program' | 'browser' | 'unchecked';

/**
 * The caller's role from where it connects: loopback is like a local socket (SECURITY.md);
 * anyone else without credentials gets the anonymous role (none by default). A browser page
 * (an upgrade with `Origin`) is anonymous wherever it runs: it is not the person at the host.
 */
export function principalFor(remoteAddress: string | undefined, auth: AuthSettings, from: CallerKind = 'program'): Principal {
  const address = remoteAddress === undefined ? {} : { remoteAddress };
  if (from === 'unchecked') return { role: 'none', via: 'unchecked', ...address };
  if (from === 'browser') return { role: auth.anonymousRole, via: 'browser', ...address };
  if (remoteAddress !== undefined && isLoopback(remoteAddress)) return { role: auth.loopbackRole, via: 'loopback', ...address };
  return { role: auth.anonymousRole, via: 'anonymous', ...address };
}

/**
 * The caller's principal when it holds several credentials: the highest role wins (a
 * certificate, a token, loopback or the anonymous role), and `via` names where it came from.
 */
export function strongestPrincipal(base: Principal, ...others: readonly (Principal | undefined)[]): Principal {
  let best = base;
  for (const other of others) {
    if (other !== undefined && !roleAllows(best.role, other.role)) best = other;
  }
  return best === base ? base : { ...best, ...(base.remoteAddress === undefined ? {} : { remoteAddress: base.remoteAddress }) };
}
