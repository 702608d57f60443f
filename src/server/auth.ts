import { isIP } from 'node:net';
import type { Principal, Role } from '../operations/index.js';

/** Loopback in either family, including IPv4 mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (plain === '::1' || plain === 'localhost') return true;
  return isIP(plain) === 4 && plain.startsWith('127.');
}

export interface AuthSettings {
  readonly loopbackRole: Role;
  readonly anonymousRole: Role;
}

/**
 * The caller's role from where it connects: loopback is like a local socket (DESIGN §11);
 * anyone else without credentials gets the anonymous role (none by default).
 */
export function principalFor(remoteAddress: string | undefined, auth: AuthSettings): Principal {
  if (isLoopbackAddress(remoteAddress)) return { role: auth.loopbackRole, via: 'loopback', ...(remoteAddress === undefined ? {} : { remoteAddress }) };
  return { role: auth.anonymousRole, via: 'anonymous', ...(remoteAddress === undefined ? {} : { remoteAddress }) };
}
