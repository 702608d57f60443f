import type { RecordedOutcome } from '../requests.js';
import { decodeOutcomeRows } from './requests.js';
import { rowsOf } from './worker-protocol.js';
import type { WorkerLink } from './worker-link.js';

/**
 * The request ids this store committed within the request window, held on the main thread (ids
 * and times only, not outcomes). One server holds a SQLite file, so they are the whole truth: a
 * batch whose ids are all new, the usual case, commits without first asking the worker for
 * outcomes. A batch carrying an id held here (a retry) reads its outcome from the file. At most
 * `capacity` ids are held; once older ones are let go, a batch with request ids asks the file
 * until the window has passed them.
 */
export class RecentRequestIds {
  /** id → created_at (ms), oldest first. */
  readonly #ids = new Map<string, number>();
  readonly #capacity: number;
  readonly #link: WorkerLink;
  /** Every id committed at or after this (ms) is held. */
  #completeSince: number;
  #lookups = 0;

  private constructor(link: WorkerLink, capacity: number, completeSince: number) {
    this.#link = link;
    this.#capacity = capacity;
    this.#completeSince = completeSince;
  }

  /** Reads the file's ids newer than `notBefore` (ms), the newest `capacity` of them. */
  static async load(link: WorkerLink, capacity: number, notBefore: number): Promise<RecentRequestIds> {
    const rows = rowsOf(await link.request({ type: 'requestIds', notBefore, limit: capacity + 1 }), 'request ids');
    const entries = rows.map((row): [string, number] => {
      const [id, createdAt] = rowsOf(row, 'request ids');
      if (typeof id !== 'string' || typeof createdAt !== 'number') throw new Error(`corrupt request id row in the SQLite store: ${JSON.stringify(row)}`);
      return [id, createdAt];
    });
    // More than it may hold: those older than the oldest one kept are in the file alone.
    const dropped = entries.length > capacity ? entries[capacity] : undefined;
    const recent = new RecentRequestIds(link, capacity, dropped === undefined ? notBefore : dropped[1] + 1);
    for (const [id, createdAt] of entries.slice(0, capacity).reverse()) recent.#ids.set(id, createdAt);
    return recent;
  }

  /** How many batches asked the worker for outcomes (diagnostics). */
  get lookups(): number {
    return this.#lookups;
  }

  /** The outcomes committed since `notBefore` (ms) for `ids`: none without asking, when none of them can be in the file. */
  async outcomes(ids: readonly string[], notBefore: number): Promise<ReadonlyMap<string, RecordedOutcome>> {
    this.#forgetBefore(notBefore);
    if (ids.length === 0) return new Map();
    const held = (id: string): boolean => (this.#ids.get(id) ?? -Infinity) >= notBefore;
    if (this.#completeSince <= notBefore && !ids.some(held)) return new Map();
    this.#lookups += 1;
    return decodeOutcomeRows(rowsOf(await this.#link.request({ type: 'outcomes', ids, notBefore }), 'outcome rows'));
  }

  /** After COMMIT: the outcomes the batch kept. */
  add(outcomes: readonly RecordedOutcome[]): void {
    for (const { id, createdAt } of outcomes) {
      // Only a write that ran keeps an outcome, so an id held here had passed its window: it moves to the newest end.
      this.#ids.delete(id);
      this.#ids.set(id, createdAt);
    }
    while (this.#ids.size > this.#capacity) this.#dropOldest();
  }

  /** Lets go of ids older than the window. */
  #forgetBefore(notBefore: number): void {
    for (const createdAt of this.#ids.values()) {
      if (createdAt >= notBefore) return;
      this.#dropOldest();
    }
  }

  #dropOldest(): void {
    const oldest = this.#ids.entries().next();
    if (oldest.done === true) return;
    const [id, createdAt] = oldest.value;
    this.#ids.delete(id);
    this.#completeSince = Math.max(this.#completeSince, createdAt + 1);
  }
}
