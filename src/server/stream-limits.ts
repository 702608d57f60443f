/** How much event streaming one connection, and all of them together, may hold. */
import type { LimitSettings } from '../config/index.js';

export interface StreamLimits {
  /** @default 64 */
  readonly subscriptionsPerConnection: number;
  /** Bytes one connection may leave unread (answers and events) before it is cut off. @default 8 MiB */
  readonly maxBufferedBytes: number;
  /** Unread bytes of all connections together; past it the connection holding the most is cut. @default 256 MiB */
  readonly maxTotalBufferedBytes: number;
  /** Live events a subscription may hold while it replays. @default 10_000 */
  readonly maxReplayBacklog: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = Object.freeze({
  subscriptionsPerConnection: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxTotalBufferedBytes: 256 * 1024 * 1024,
  maxReplayBacklog: 10_000,
});

/** The stream limits in force: the defaults, the `[limits]` of the configuration, then explicit overrides (tests). */
export function streamLimitsFor(limits: Pick<LimitSettings, 'maxSubscriptions' | 'maxUnreadTotalBytes'>, overrides: Partial<StreamLimits> = {}): StreamLimits {
  return { ...DEFAULT_STREAM_LIMITS, subscriptionsPerConnection: limits.maxSubscriptions, maxTotalBufferedBytes: limits.maxUnreadTotalBytes, ...overrides };
}
