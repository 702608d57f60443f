/** What the IP operations share: the networks in force, and the schemas of their names and addresses. */
import { z } from 'zod';
import { isIpAddress, RegistryError } from '../domain/index.js';
import { kindClash, type NetworkCatalog, networkCatalog } from '../ipam/index.js';
import type { OperationContext } from './define.js';

/** A `[[network]]` name as the configuration allows it. */
export const networkName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Who holds an address: a service name, a WireGuard peer, anything printable without spaces. */
export const ownerName = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const ipText = z.string().max(64).refine(isIpAddress, 'must be an IPv4 or IPv6 address');

/** The networks of the configuration in force, compiled; `unavailable` when the server lends none. */
export function catalogOf(ctx: OperationContext): NetworkCatalog {
  const networks = ctx.runtime.networks;
  if (networks === undefined) throw new RegistryError('unavailable', 'this server does not allocate IP addresses');
  return networkCatalog(networks());
}

/** `register_service`'s `allocate`: networks to take an address in, one per kind of network. */
export const allocateList = z
  .array(networkName)
  .max(8, 'must name at most 8 networks')
  .refine((names) => new Set(names).size === names.length, 'must not name a network twice');

const badParam = (path: string, message: string): RegistryError =>
  new RegistryError('invalid_params', `invalid params: ${path}: ${message}`, { details: { fields: [{ path, message }] } });

/**
 * Checks a registration's `allocate` before its write: every network configured, at most one
 * per kind, and no kind also given by hand in `addresses`. Undefined when nothing is asked.
 */
export function serviceAllocation(
  ctx: OperationContext,
  allocate: readonly string[] | undefined,
  addresses: Readonly<Partial<Record<string, string>>> | undefined,
): NetworkCatalog | undefined {
  if (allocate === undefined || allocate.length === 0) return undefined;
  const catalog = catalogOf(ctx);
  const clash = kindClash(catalog, allocate);
  if (clash !== undefined) throw badParam('allocate', clash);
  for (const name of allocate) {
    const { kind } = catalog.require(name);
    if (addresses?.[kind] !== undefined) throw badParam(`addresses.${kind}`, `is given and allocate asks network '${name}' for it; give one or the other`);
  }
  return catalog;
}
