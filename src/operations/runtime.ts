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
