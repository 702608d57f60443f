/** The smaller answers on the wire: the server, streams, IP allocation and tokens. */
import { z } from 'zod';
import { grantedRoles, roles } from './roles.js';
import { unixSeconds } from './wire-common.js';

/** `deregister`, and Plexus `delete`. */
export const deregisteredWire = z.object({ name: z.string() });

/** `success: false` for an unknown name (upstream Plexus). */
export const pingWire = z.object({ name: z.string(), success: z.boolean(), message: z.string() });

/** `reload`: the backends the configuration file holds. */
export const reloadedWire = z.object({ count: z.number().int() });

export const statusWire = z.object({
  revision: z.number().int(),
  compact_revision: z.number().int(),
  services: z.number().int(),
  store: z.enum(['sqlite', 'postgres']),
  uptime_seconds: z.number().int(),
  /** The caller's role. */
  role: z.enum(roles),
  /** The health-check scheduler of this server, when it runs one. */
  health: z
    .object({ checks: z.number().int(), shards: z.number().int(), running: z.number().int(), runs: z.number().int(), lateness_p99_ms: z.number() })
    .optional(),
});

export const subscribedWire = z.object({
  subscription: z.string(),
  /** The last committed revision when the subscription was opened. */
  revision: z.number().int(),
});
export const unsubscribedWire = z.object({ subscription: z.string(), removed: z.boolean() });

/** A configured network and how full it is. Counts are decimal strings: an IPv6 /64 holds 2^64 addresses. */
export const networkWire = z.object({
  name: z.string(),
  kind: z.enum(['wireguard', 'lan']),
  cidr: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  gateway: z.string().optional(),
  reserved: z.array(z.string()),
  /** Addresses that may be handed out (the block less network, broadcast, gateway and reserved). */
  capacity: z.string(),
  allocated: z.number().int(),
  available: z.string(),
});
export const networkListWire = z.array(networkWire);

const allocationFields = { network: z.string(), owner: z.string(), address: z.string(), allocated_at: unixSeconds };
export const allocationWire = z.object(allocationFields);
export const allocationListWire = z.array(allocationWire);
/** `created` is false when the owner already held the address: allocation is idempotent per owner. */
export const allocatedWire = z.object({ ...allocationFields, created: z.boolean() });

/** The role the connection holds from now on, and where it comes from (`token:ci`, `loopback`). */
export const authenticatedWire = z.object({ role: z.enum(roles), via: z.string() });

const tokenFields = {
  name: z.string(),
  role: z.enum(grantedRoles),
  created_at: unixSeconds,
  /** Absent: the token never expires. */
  expires_at: unixSeconds.optional(),
};
/** A token: never its secret or hash. */
export const tokenWire = z.object(tokenFields);
export const tokenListWire = z.array(tokenWire);
/** The secret is answered this once. */
export const tokenCreatedWire = z.object({ ...tokenFields, token: z.string() });
export const tokenRevokedWire = z.object({ name: z.string(), revoked: z.literal(true) });

export type StatusWire = z.output<typeof statusWire>;
export type NetworkWire = z.output<typeof networkWire>;
export type AllocationWire = z.output<typeof allocationWire>;
export type TokenWire = z.output<typeof tokenWire>;
