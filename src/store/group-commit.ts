import { RegistryError } from '../domain/index.js';
import { closingError, type PendingWrite } from './batch.js';
import type { BatchListener, WriteOptions, WriteResult, WriteTx } from './types.js';

/**
 * The write side both backends share: `write(fn)` queues, writes queued in the same event-loop
 * turn are flushed together (at most `maxBatchWrites` a transaction; the rest wait for the next
 * flush, which starts as soon as this one settles), and `close()` refuses new writes, fails the
 * queued ones, lets the flush in progress finish and then lets go of the database. A backend
 * supplies the transaction (`commit`) and what it holds (`release`).
 */
export abstract class GroupCommit implements AsyncDisposable {
  /** Resolves with the reason once closed; never rejects. */
  readonly closed: Promise<void | Error>;
  #markClosed: (reason: void | Error) => void = () => undefined;
  #queue: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #flushing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #batchListeners = new Set<BatchListener>();

  protected constructor(
    private readonly maxBatchWrites: number,
    /** What `closed` and `close()` report when `release` fails: "the SQLite database did not close cleanly". */
    private readonly releaseFailure: string,
  ) {
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
  }

  /** True once `close()` was called. */
  protected get closing(): boolean {
    return this.#closing !== undefined;
  }

  write<T>(fn: (tx: WriteTx) => Promise<T> | T, options: WriteOptions = {}): Promise<WriteResult<T>> {
    if (this.#closing !== undefined) return Promise.reject(closingError());
    return new Promise<WriteResult<T>>((resolve, reject) => {
      this.#queue.push({
        ...(options.request === undefined ? {} : { request: options.request }),
        run: async (tx) => {
          const value = await fn(tx);
          return { value, settle: (revision, events) => resolve({ value, revision, events }) };
        },
        fail: reject,
        // The value the first call's function returned, read back from its JSON (see WriteOptions).
        replay: (outcome) => resolve({ value: JSON.parse(outcome.value) as T, revision: outcome.revision, events: [], replayed: true }),
      });
      this.#schedule();
    });
  }

  /** Told after each flush how many writes it took and how long its transaction ran (metrics). */
  onBatch(listener: BatchListener): () => void {
    this.#batchListeners.add(listener);
    return () => this.#batchListeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Commits `writes` in one transaction and answers each of them: a write whose function threw
   * with its own error, the others after COMMIT, or all with `unavailable` when the storage fails.
   * A rejection is a bug: every write of the batch is failed with it.
   */
  protected abstract commit(writes: readonly PendingWrite[]): Promise<void>;

  /** Lets go of the database, once the last batch settled. Throws what did not close cleanly. */
  protected abstract release(): Promise<void>;

  /**
   * Runs `task` with no flush under way and none starting until it ends (a restore): it waits for
   * the flush in progress, and the writes queued meanwhile go in the next flush after it.
   */
  protected async exclusively(task: () => Promise<void>): Promise<void> {
    if (this.#closing !== undefined) throw closingError();
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    let done: () => void = () => undefined;
    this.#flushing = new Promise<void>((resolve) => (done = resolve));
    try {
      await this.runFlush(task);
    } finally {
      this.#flushing = undefined;
      done();
      if (this.#queue.length > 0 && this.#closing === undefined) this.#schedule();
    }
  }

  /** Runs one flush; PostgreSQL queues it behind the catch-ups it serialises with it. */
  protected runFlush(flush: () => Promise<void>): Promise<void> {
    return flush();
  }

  #schedule(): void {
    if (this.#scheduled !== undefined || this.#flushing !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      // Marked as flushing before it starts: a write function may call close() or write() synchronously.
      let flushed: () => void = () => undefined;
      this.#flushing = new Promise<void>((resolve) => {
        flushed = resolve;
      });
      const settle = (): void => {
        this.#flushing = undefined;
        flushed();
        if (this.#queue.length > 0 && this.#closing === undefined) this.#schedule();
      };
      this.runFlush(() => this.#flush()).then(settle, settle);
    });
  }

  async #flush(): Promise<void> {
    const writes = this.#queue.splice(0, this.maxBatchWrites);
    if (writes.length === 0) return;
    const started = performance.now();
    try {
      await this.commit(writes);
    } catch (error) {
      // A bug, not a storage fault: answer every caller rather than leave one hanging.
      for (const write of writes) write.fail(error);
    }
    if (this.#batchListeners.size === 0) return;
    const batch = { writes: writes.length, seconds: (performance.now() - started) / 1000 };
    for (const listener of this.#batchListeners) listener(batch);
  }

  async #shutdown(): Promise<void> {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const queued = this.#queue;
    this.#queue = [];
    for (const write of queued) write.fail(closingError());
    await this.#flushing;
    let reason: Error | undefined;
    try {
      await this.release();
    } catch (cause) {
      reason = cause instanceof RegistryError ? cause : new RegistryError('unavailable', this.releaseFailure, { cause });
    }
    this.#markClosed(reason);
    if (reason !== undefined) throw reason;
  }
}
