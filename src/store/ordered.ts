import type { Service } from '../domain/index.js';

/**
 * Every service ordered by name, as an immutable value: a copy-on-write two-level B-tree (a root
 * of chunks of at most 2 × CHUNK services, each sorted, with each chunk's first name beside it).
 * A commit makes a new value that shares every chunk it did not touch, so a value kept by a
 * paged listing (a cursor's snapshot) stays exactly the state of its revision, and costs only the
 * chunks replaced since. Finding a name is a binary search of the root, then of one chunk: the
 * first page of a million services reads O(log n + limit) services and copies none of the rest.
 */

/** Services per chunk when built from a sorted list; a chunk splits above twice this. */
const CHUNK = 512;
const MAX_CHUNK = 2 * CHUNK;
/** A chunk left smaller than this by removals is joined to the one before it. */
const SMALL_CHUNK = CHUNK / 4;

/** What one commit does to services, keyed by name: put, or `null` to remove. */
export type OrderedChanges = ReadonlyMap<string, Service | null>;

/** One page of a walk: the services that matched, and whether any further service matches. */
export interface OrderedPage {
  readonly services: readonly Service[];
  readonly more: boolean;
}

const EMPTY: readonly (readonly Service[])[] = Object.freeze([]);

/** The index of the first service of `chunk` whose name is above `name`. */
function firstAbove(chunk: readonly Service[], name: string): number {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((chunk[middle]?.name ?? '') <= name) low = middle + 1;
    else high = middle;
  }
  return low;
}

const sortedChanges = (changes: [string, Service | null][]): [string, Service | null][] => changes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Applies one chunk's changes (sorted by name) to a copy of it. */
function changedChunk(chunk: readonly Service[], changes: readonly (readonly [string, Service | null])[]): Service[] {
  const out = [...chunk];
  for (const [name, service] of changes) {
    const at = firstAbove(out, name);
    const present = at > 0 && out[at - 1]?.name === name;
    if (service === null) {
      if (present) out.splice(at - 1, 1);
    } else if (present) out[at - 1] = service;
    else out.splice(at, 0, service);
  }
  return out;
}

export class OrderedServices {
  private constructor(
    private readonly chunks: readonly (readonly Service[])[],
    /** The first name of each chunk. */
    private readonly firsts: readonly string[],
    readonly size: number,
  ) {}

  static readonly empty = new OrderedServices(EMPTY, [], 0);

  /** Built in O(n) from services already sorted by name (the order the stores load them in). */
  static fromSorted(sorted: readonly Service[]): OrderedServices {
    const chunks: (readonly Service[])[] = [];
    for (let at = 0; at < sorted.length; at += CHUNK) chunks.push(Object.freeze(sorted.slice(at, at + CHUNK)));
    return new OrderedServices(Object.freeze(chunks), chunks.map((chunk) => chunk[0]?.name ?? ''), sorted.length);
  }

  /** The chunk a name belongs in: the last whose first name is not above it (the first chunk otherwise). */
  private chunkOf(name: string): number {
    let low = 0;
    let high = this.firsts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.firsts[middle] ?? '') <= name) low = middle + 1;
      else high = middle;
    }
    return Math.max(0, low - 1);
  }

  /** A new value with `changes` applied; this one stays as it is. O(chunks + changed chunks × CHUNK). */
  with(changes: OrderedChanges): OrderedServices {
    if (changes.size === 0) return this;
    const byChunk = new Map<number, [string, Service | null][]>();
    for (const [name, service] of changes) {
      const index = this.chunkOf(name);
      const list = byChunk.get(index) ?? [];
      list.push([name, service]);
      byChunk.set(index, list);
    }
    return this.replaced(byChunk) ?? this.rebuilt(byChunk);
  }

  /** The common case, no chunk splitting, joining or emptying: copies the root and the changed chunks only. */
  private replaced(byChunk: ReadonlyMap<number, [string, Service | null][]>): OrderedServices | undefined {
    const chunks = this.chunks.slice();
    const firsts = this.firsts.slice();
    let size = this.size;
    for (const [index, changed] of byChunk) {
      const old = this.chunks[index];
      if (old === undefined) return undefined;
      const next = changedChunk(old, sortedChanges(changed));
      if (next.length < SMALL_CHUNK || next.length > MAX_CHUNK) return undefined;
      chunks[index] = Object.freeze(next);
      firsts[index] = next[0]?.name ?? '';
      size += next.length - old.length;
    }
    return new OrderedServices(Object.freeze(chunks), firsts, size);
  }

  private rebuilt(byChunk: ReadonlyMap<number, [string, Service | null][]>): OrderedServices {
    const chunks: (readonly Service[])[] = [];
    const count = Math.max(this.chunks.length, 1);
    for (let index = 0; index < count; index++) {
      const changed = byChunk.get(index);
      const old = this.chunks[index] ?? [];
      if (changed === undefined) {
        chunks.push(old);
        continue;
      }
      const next = changedChunk(old, sortedChanges(changed));
      if (next.length <= MAX_CHUNK) pushJoined(chunks, Object.freeze(next));
      else for (let at = 0; at < next.length; at += CHUNK) pushJoined(chunks, Object.freeze(next.slice(at, at + CHUNK)));
    }
    const kept = chunks.filter((chunk) => chunk.length > 0);
    const size = kept.reduce((sum, chunk) => sum + chunk.length, 0);
    return new OrderedServices(Object.freeze(kept), kept.map((chunk) => chunk[0]?.name ?? ''), size);
  }

  /**
   * Up to `limit` services with a name above `after` (from the start when undefined) that `keep`
   * accepts, in name order, and whether another one follows.
   */
  page(after: string | undefined, limit: number, keep: (service: Service) => boolean): OrderedPage {
    const services: Service[] = [];
    let index = after === undefined ? 0 : this.chunkOf(after);
    let at = after === undefined ? 0 : firstAbove(this.chunks[index] ?? [], after);
    for (; index < this.chunks.length; index++, at = 0) {
      const chunk = this.chunks[index] ?? [];
      for (; at < chunk.length; at++) {
        const service = chunk[at];
        if (service === undefined || !keep(service)) continue;
        if (services.length === limit) return { services, more: true };
        services.push(service);
      }
    }
    return { services, more: false };
  }

  /** Every service in name order (O(n); the view caches it per value). */
  toArray(): readonly Service[] {
    return Object.freeze(this.chunks.flat());
  }
}

/** Adds a chunk, joining a small one to the chunk before it while the two fit in one. */
function pushJoined(chunks: (readonly Service[])[], chunk: readonly Service[]): void {
  const before = chunks.at(-1);
  if (before !== undefined && chunk.length < SMALL_CHUNK && before.length + chunk.length <= MAX_CHUNK) {
    chunks[chunks.length - 1] = Object.freeze([...before, ...chunk]);
    return;
  }
  chunks.push(chunk);
}
