import type { EventType, Revision } from '../domain/index.js';

/**
 * What the server lends to operations beyond the store: one field per capability. Each
 * capability declares the small interface it needs here (etcd's lessor style), and the server
 * wires an implementation in. A field is optional only while a server can run without it;
 * an operation whose capability is absent answers `unavailable`.
 */
export interface RuntimeServices {
  /** Placeholder so the interface is never empty; capabilities add their fields below. */
  readonly startedAt: number;
}

/** Where a call came from, for topology-aware answers. */
export interface ConnectionInfo {
  readonly remoteAddress?: string;
  /** The local address the connection arrived on: tells which of our networks the caller shares. */
  readonly localAddress?: string;
  /** What the caller declared about itself (hostId, its addresses), refining placement. */
  readonly declared?: { readonly hostId?: string; readonly addresses?: readonly string[] };
}

/** What a subscription asks for; names are globs (`*`, `?`). */
export interface SubscriptionRequest {
  readonly events: readonly EventType[];
  readonly services: readonly string[];
  /** The first revision wanted; absent means only what commits from now on. */
  readonly sinceRevision?: number;
}

export interface SubscriptionOpened {
  readonly subscription: string;
  /** The last committed revision when the subscription was opened. */
  readonly revision: Revision;
}

/** The caller's connection, which carries its event streams. */
export interface StreamHost {
  /** Throws `resync_required` when `sinceRevision` was compacted away, `limit_exceeded` past the per-connection cap. */
  open(request: SubscriptionRequest): SubscriptionOpened;
  /** True when the subscription existed on this connection. */
  close(subscription: string): boolean;
}
