/** The answers about the servers of a cluster and the whole state: members and snapshots. */
import { z } from 'zod';
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
