import { z } from 'zod';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_SECONDS,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_MAX_UNREAD_TOTAL_BYTES,
  DEFAULT_REQUEST_BURST,
  DEFAULT_REQUESTS_PER_SECOND,
  type LimitSettings,
} from './types.js';

/**
 * The `[limits]` table as written (SECURITY.md): what one caller may hold or send before it gets
 * a clear error or close code. The frame size limit stays `[server] max_frame_bytes`.
 */
const count = (max: number) => z.number().int().min(1).max(max);

export const limitsTable = z.strictObject({
  max_connections: count(1_000_000).optional(),
  max_connections_per_address: count(1_000_000).optional(),
  requests_per_second: count(10_000_000).optional(),
  request_burst: count(10_000_000).optional(),
  max_pending_requests: count(1_000_000).optional(),
  max_subscriptions: count(100_000).optional(),
  /** Seconds without a frame or a pong before a connection is dropped; 0 turns pings off. */
  idle_timeout: z.number().int().min(0).max(86_400).optional(),
  /** Bytes of unread output the server holds for all connections together. */
  max_unread_total_bytes: z.number().int().min(1_048_576).max(2 ** 40).optional(),
  /** Seconds a new connection has to finish the TLS handshake and send its request. */
  handshake_timeout: z.number().int().min(1).max(600).optional(),
});

/** The table with every default filled. */
export const limitSettings = (table: z.output<typeof limitsTable> | undefined): LimitSettings => ({
  maxConnections: table?.max_connections ?? DEFAULT_MAX_CONNECTIONS,
  maxConnectionsPerAddress: table?.max_connections_per_address ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  requestsPerSecond: table?.requests_per_second ?? DEFAULT_REQUESTS_PER_SECOND,
  // The burst defaults to two seconds' worth of the rate, whichever rate is set.
  requestBurst: table?.request_burst ?? (table?.requests_per_second === undefined ? DEFAULT_REQUEST_BURST : 2 * table.requests_per_second),
  maxPendingRequests: table?.max_pending_requests ?? DEFAULT_MAX_PENDING_REQUESTS,
  maxSubscriptions: table?.max_subscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS,
  idleTimeoutSeconds: table?.idle_timeout ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
  maxUnreadTotalBytes: table?.max_unread_total_bytes ?? DEFAULT_MAX_UNREAD_TOTAL_BYTES,
  handshakeTimeoutSeconds: table?.handshake_timeout ?? DEFAULT_HANDSHAKE_TIMEOUT_SECONDS,
});
