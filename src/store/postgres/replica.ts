import type { CommittedEvent, Revision } from '../../domain/index.js';
import { applyChanges, type CommitChanges, CommitListeners, type ViewSet, viewsOf } from '../committed.js';
import type { CommitListener } from '../types.js';
import { JOURNAL_PAGE, readAhead } from './ahead.js';
import { type JournalRow, type MetaRow, readEvents, readJournal, type Snapshot } from './load.js';
import type { Queryable } from './sql.js';
import { ReadThrough } from './views.js';

/** Revisions whose events are read per query while catching up. */
const REVISION_PAGE = 5_000;

/**
 * This server's copy of the committed state: the views, the generation and revision they stand
 * at, and the commit listeners. Changes arrive two ways: this server's own commits, and the
 * journal written by the others (read after a notification, a reconnect, a poll, or under the
 * write lock). Both go through here, one at a time (the store serialises them), in commit order.
 */
export class Replica {
  readonly read: ReadThrough;
  #views: ViewSet;
  #generation: number;
  #revision: Revision;
  #compactRevision: Revision;
  readonly #listeners = new CommitListeners();
  /** Reads waiting for this copy to reach a generation. */
  #waiters: { readonly generation: number; readonly resolve: () => void }[] = [];

  constructor(
    snapshot: Snapshot,
    private readonly deploymentRetention: number,
  ) {
    this.#views = viewsOf(snapshot, deploymentRetention);
    this.#generation = snapshot.generation;
    this.#revision = snapshot.revision;
    this.#compactRevision = snapshot.compactRevision;
    this.read = new ReadThrough(() => this.#views);
  }

  get views(): ViewSet {
    return this.#views;
  }

  get generation(): number {
    return this.#generation;
  }

  get revision(): Revision {
    return this.#revision;
  }

  get compactRevision(): Revision {
    return this.#compactRevision;
  }

  onCommit(listener: CommitListener): () => void {
    return this.#listeners.add(listener);
  }

  clearListeners(): void {
    this.#listeners.clear();
  }

  /** Resolves once this copy stands at `generation` or later. */
  reach(generation: number): Promise<void> {
    if (this.#generation >= generation) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ generation, resolve }));
  }

  /**
   * Applies what other servers committed, outside any transaction (`pool` runs its own):
   * mostly one round trip reading meta, the journal and the events together.
   */
  async sync(pool: Queryable, reload: () => Promise<Snapshot>): Promise<void> {
    const ahead = await readAhead(pool, this.#generation, this.#revision);
    if (ahead.meta.generation === this.#generation) return;
    if (ahead.complete && this.follows(ahead.journal)) this.applyJournal(ahead.journal, ahead.events);
    else await this.catchUp(pool, reload);
  }

  /**
   * Applies the commits made since this copy's generation, oldest first, a page at a time; it
   * may run inside the write transaction. `reload` reads a whole snapshot, for when the journal
   * no longer reaches back that far.
   */
  async catchUp(q: Queryable, reload: () => Promise<Snapshot>): Promise<void> {
    for (;;) {
      const rows = await readJournal(q, this.#generation, JOURNAL_PAGE);
      const last = rows.at(-1);
      if (last === undefined) return;
      if (!this.follows(rows)) {
        await this.replace(q, await reload());
        return;
      }
      // Every read happens before anything is applied: a lost connection leaves this copy as it was.
      this.applyJournal(rows, await this.#eventsUpTo(q, last.revision));
      if (rows.length < JOURNAL_PAGE) return;
    }
  }

  /** True when `rows` start right after this copy's generation (nothing was pruned in between). */
  follows(rows: readonly JournalRow[]): boolean {
    return rows[0]?.generation === this.#generation + 1;
  }

  /** Applies journal entries that follow this copy, with the events logged up to the last of them. */
  applyJournal(rows: readonly JournalRow[], events: readonly CommittedEvent[]): void {
    const last = rows.at(-1);
    if (last === undefined) return;
    for (const row of rows) applyChanges(this.#views, row.changes);
    if (rows.some((row) => row.changes.tokens.size > 0)) this.read.tokensChanged();
    this.#advance(last);
    this.#publish(events);
  }

  /** Replaces the views with a snapshot, delivering the logged events in between when they are still kept. */
  async replace(q: Queryable, snapshot: Snapshot): Promise<void> {
    const missed = snapshot.compactRevision > this.#revision;
    const events = missed ? [] : await this.#eventsUpTo(q, snapshot.revision);
    this.#views = viewsOf(snapshot, this.deploymentRetention);
    this.read.tokensChanged();
    this.#advance(snapshot);
    if (missed) {
      const warning = new Error(`events up to revision ${snapshot.compactRevision} were compacted before this server read them; subscribers resume from ${snapshot.revision}`);
      process.emitWarning(warning, 'RegistryStoreGap');
    }
    this.#publish(events);
  }

  /** After this server's own COMMIT: memory first, then listeners (the caller answers the writers). */
  applyOwn(changes: CommitChanges, meta: MetaRow, events: readonly CommittedEvent[]): void {
    applyChanges(this.#views, changes);
    if (changes.tokens.size > 0) this.read.tokensChanged();
    this.#advance(meta);
    this.#publish(events);
  }

  /** The logged events after this copy's revision up to `upTo`, read a range of revisions at a time. */
  async #eventsUpTo(q: Queryable, upTo: number): Promise<CommittedEvent[]> {
    const events: CommittedEvent[] = [];
    for (let after: number = this.#revision; after < upTo; after = Math.min(upTo, after + REVISION_PAGE)) {
      events.push(...(await readEvents(q, after, Math.min(upTo, after + REVISION_PAGE), null)));
    }
    return events;
  }

  #advance(meta: MetaRow): void {
    this.#generation = meta.generation;
    this.#revision = meta.revision;
    this.#compactRevision = meta.compactRevision;
    if (this.#waiters.length === 0) return;
    const reached = this.#waiters.filter((waiter) => waiter.generation <= meta.generation);
    this.#waiters = this.#waiters.filter((waiter) => waiter.generation > meta.generation);
    for (const waiter of reached) waiter.resolve();
  }

  #publish(events: readonly CommittedEvent[]): void {
    this.#listeners.publish(events);
  }
}
