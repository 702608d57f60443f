/** The answers about the servers of a cluster and the whole state: members and snapshots. */
import { z } from 'zod';
import { grantedRoles } from './roles.js';
import { unixSeconds } from './wire-common.js';

/** One server sharing the database (`list_members`), as it last reported itself. */
export const memberWire = z.object({
  /** One per start of a server. */
  id: z.string(),
  /** The URL clients reach it at. */
  address: z.string(),
  host_id: z.string(),
  pid: z.number().int(),
  /** The server that answered. */
  self: z.boolean(),
  /** Its database session is up: false once it stopped or died. */
  live: z.boolean(),
  started_at: unixSeconds,
  last_seen: unixSeconds,
  /** The revision it had applied when it last reported (now, for the server that answered). */
  revision: z.number().int(),
  /** How many revisions it was behind the database then. */
  lag: z.number().int(),
  /** It runs the TTL sweeps (and ends the deployments of servers that died). */
  sweeps: z.boolean(),
  /** The health-check shards it runs. */
  shards: z.array(z.number().int()),
  /** A digest of its `[auth]` and `[limits]`: every server should show the same. */
  settings: z.string(),
});
export const memberListWire = z.array(memberWire);

export type MemberWire = z.output<typeof memberWire>;

/** The `format` every snapshot file names, and the version of its layout this build writes and reads. */
export const SNAPSHOT_FORMAT = 'service-registry-snapshot';
export const SNAPSHOT_VERSION = 1;

/** A record as the store keeps it: its JSON, camelCase with times in milliseconds (restored exactly). */
const storeRecord = z.record(z.string(), z.unknown());

/**
 * The whole state of a registry at one revision (`snapshot`, `registry snapshot save`): the
 * envelope in the wire's shape, the records as the store keeps them, so that a restore into
 * another store (SQLite or PostgreSQL) reproduces every one of them exactly. Tokens are hashes.
 */
export const snapshotWire = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  /** The revision the state is at: a restored store continues from it. */
  revision: z.number().int().min(0),
  taken_at: unixSeconds,
  services: z.array(storeRecord),
  deployments: z.array(storeRecord),
  allocations: z.array(z.object({ network: z.string(), address: z.string(), owner: z.string(), allocatedAt: z.number().int() })),
  /** Where each network's allocator stands: the next offset as a decimal string. */
  pools: z.array(z.object({ network: z.string(), cidr: z.string(), cursor: z.string().regex(/^\d+$/) })),
  /** Released addresses, oldest first (the next ones handed out). */
  free: z.array(z.object({ network: z.string(), address: z.string() })),
  /** `expiresAt` (milliseconds) only for a token that expires: a token without it never does, as in a snapshot taken before tokens could expire. */
  tokens: z.array(z.object({ name: z.string(), role: z.enum(grantedRoles), hash: z.string(), createdAt: z.number().int(), expiresAt: z.number().int().optional() })),
});

export type SnapshotWire = z.output<typeof snapshotWire>;
