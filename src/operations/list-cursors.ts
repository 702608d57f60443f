import { z } from 'zod';
import { RegistryError, type Revision } from '../domain/index.js';
import type { OrderedServices, Store } from '../store/index.js';
import { serviceName } from './schemas.js';

/**
 * The snapshots of paged listings, and their cursors. The first page of a `list_services` with
 * `limit` keeps the store's ordered services (an immutable value, store/ordered.ts) under a random
 * id; the cursor names that id and the last name given, so every later page reads the same
 * revision, whatever was written since. A snapshot lives CURSOR_LIFETIME_MS after the page that
 * last used it, and a server holds at most MAX_HELD_SNAPSHOTS (the oldest goes first); a cursor
 * whose snapshot is gone, or that another server or an earlier run issued, is `cursor_expired`.
 * Expiry is checked on use: nothing runs on a timer.
 */

/** How long a cursor stays good after the page that gave it. */
export const CURSOR_LIFETIME_MS = 60_000;
/** How many paged listings a server keeps snapshots for at once. */
export const MAX_HELD_SNAPSHOTS = 256;
/** The most services one page may ask for. */
export const MAX_PAGE_LIMIT = 10_000;

/** What a cursor carries: opaque to clients, checked when it comes back. */
const cursorBody = z.strictObject({ v: z.literal(1), s: z.string().regex(/^[0-9a-f-]{16,64}$/), a: serviceName });

/** The `cursor` param at the edge: base64url text of bounded length. */
export const cursorParam = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this server issued (base64url text)');

export interface ListingSnapshot {
  readonly ordered: OrderedServices;
  readonly revision: Revision;
  /** The clock when the first page was read: later pages judge "active" at the same moment. */
  readonly now: number;
  /** The listing's filters: a cursor is good only for the same ones. */
  readonly filters: string;
}

interface Held extends ListingSnapshot {
  expiresAt: number;
}

const badCursor = (reason: string): RegistryError =>
  new RegistryError('invalid_params', `invalid params: cursor: ${reason}`, { details: { fields: [{ path: 'cursor', message: reason }] } });

const expired = (): RegistryError =>
  new RegistryError(
    'cursor_expired',
    `the listing snapshot of this cursor is gone (a cursor lives ${CURSOR_LIFETIME_MS / 1000} s after its page, the server restarted, or another server issued it): list again without cursor`,
    { details: { field: 'cursor', lifetime_seconds: CURSOR_LIFETIME_MS / 1000 } },
  );

export function encodeCursor(snapshot: string, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: snapshot, a: after })).toString('base64url');
}

/** The snapshot id and last name a cursor carries; `invalid_params` naming `cursor` when it is not one. */
export function decodeCursor(cursor: string): { readonly snapshot: string; readonly after: string } {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('not a cursor this server issued');
  }
  const parsed = cursorBody.safeParse(body);
  if (!parsed.success) throw badCursor('not a cursor this server issued');
  return { snapshot: parsed.data.s, after: parsed.data.a };
}

/** The snapshots one store's listings hold. */
export class ListingSnapshots {
  readonly #held = new Map<string, Held>();

  /** Keeps a snapshot for the pages after the first; answers its id. */
  hold(snapshot: ListingSnapshot, id: string, now: number): string {
    this.#sweep(now);
    while (this.#held.size >= MAX_HELD_SNAPSHOTS) {
      const oldest = this.#held.keys().next().value;
      if (oldest === undefined) break;
      this.#held.delete(oldest);
    }
    this.#held.set(id, { ...snapshot, expiresAt: now + CURSOR_LIFETIME_MS });
    return id;
  }

  /** The snapshot of a cursor, its life extended; `cursor_expired` when it is gone. */
  take(id: string, filters: string, now: number): ListingSnapshot {
    this.#sweep(now);
    const held = this.#held.get(id);
    if (held === undefined) throw expired();
    if (held.filters !== filters) throw badCursor('the cursor belongs to a listing with other filters: send the same filters as its first page');
    held.expiresAt = now + CURSOR_LIFETIME_MS;
    // Most recently used last, so the oldest in the map is the one to drop.
    this.#held.delete(id);
    this.#held.set(id, held);
    return held;
  }

  /** Lets go of a snapshot once its walk reached the end. */
  release(id: string): void {
    this.#held.delete(id);
  }

  #sweep(now: number): void {
    for (const [id, held] of this.#held) if (held.expiresAt <= now) this.#held.delete(id);
  }
}

/** One set of held snapshots per store, gone with it. */
const byStore = new WeakMap<Store, ListingSnapshots>();

export function listingSnapshotsOf(store: Store): ListingSnapshots {
  let snapshots = byStore.get(store);
  if (snapshots === undefined) {
    snapshots = new ListingSnapshots();
    byStore.set(store, snapshots);
  }
  return snapshots;
}
