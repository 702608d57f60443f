import { type CheckCounters, checkShard, definitionOf, NO_COUNTS, type ServiceCheck } from '../domain/index.js';

/** One check this server runs. Counters live here; the status lives in the service record. */
export interface Entry {
  readonly key: string;
  readonly service: string;
  readonly check: string;
  readonly shard: number;
  /** The definition as JSON: a change restarts the counters. */
  definition: string;
  intervalMs: number;
  /** Bumped on every (re)schedule: a timer item with an older token is stale. */
  token: number;
  running: boolean;
  /** Waiting for a free slot. */
  queued: boolean;
  /** Ran early (a new check): its next turn takes a random phase of the interval, so checks added together spread out. */
  rephase: boolean;
  counters: CheckCounters;
}

export const definitionText = (check: ServiceCheck): string => JSON.stringify(definitionOf(check));

/** The checks this server tracks, by key (`service\0check`) and by service. */
export class EntryTable {
  readonly #entries = new Map<string, Entry>();
  readonly #byService = new Map<string, Set<string>>();

  constructor(private readonly shards: number) {}

  get size(): number {
    return this.#entries.size;
  }

  static keyOf(service: string, check: string): string {
    return `${service}\u0000${check}`;
  }

  get(key: string): Entry | undefined {
    return this.#entries.get(key);
  }

  /** The services that have tracked checks. */
  services(): string[] {
    return [...this.#byService.keys()];
  }

  /** True when `service` has a tracked check. */
  tracks(service: string): boolean {
    return this.#byService.has(service);
  }

  keysOf(service: string): readonly string[] {
    return [...(this.#byService.get(service) ?? [])];
  }

  add(service: string, check: ServiceCheck): Entry {
    const key = EntryTable.keyOf(service, check.name);
    const shard = checkShard(service, check.name, this.shards);
    const entry: Entry = { key, service, check: check.name, shard, definition: definitionText(check), intervalMs: check.intervalMs, token: 0, running: false, queued: false, rephase: false, counters: NO_COUNTS };
    this.#entries.set(key, entry);
    let keys = this.#byService.get(service);
    if (keys === undefined) this.#byService.set(service, (keys = new Set()));
    keys.add(key);
    return entry;
  }

  /** Stops tracking; a run still going finishes, and its timer item goes stale. */
  remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.token += 1;
    this.#entries.delete(key);
    const keys = this.#byService.get(entry.service);
    keys?.delete(key);
    if (keys?.size === 0) this.#byService.delete(entry.service);
  }
}
