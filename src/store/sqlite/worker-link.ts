import { Worker } from 'node:worker_threads';
import { RegistryError } from '../../domain/index.js';
import { isObject } from '../codec.js';
import { decodeFault, decodeLoaded, type LoadedRows, type WorkerRequest, type WorkerStart } from './worker-protocol.js';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: RegistryError) => void;
}

/**
 * The worker's file beside this one. Under tsx (tests, `npm run dev`, the bench) this file and the
 * worker's are TypeScript, and a worker does not inherit the parent's `--import tsx` hooks: a
 * one-line bootstrap registers tsx in the worker first. The installed package runs dist/ as is.
 */
function workerUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./commit-worker.js', import.meta.url);
  const entry = new URL('./commit-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry)}))`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/**
 * The commit thread of this process: one worker holds the connection of every SQLite store the
 * process opens (a server opens one), so opening a store costs a message, not a thread start. It
 * is referenced only while an answer is due, so an idle one never keeps the process alive.
 */
class CommitThread {
  static #current: CommitThread | undefined;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #nextStore = 0;
  #stopped: RegistryError | undefined;

  private constructor() {
    this.#worker = new Worker(workerUrl());
    this.#worker.unref();
    this.#worker.on('message', (message: unknown) => this.#answer(message));
    this.#worker.on('error', (error) => this.#stop(`it failed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#stop(`it exited with code ${String(code)}`));
  }

  /** The running thread, or a new one when there is none or the last one stopped. */
  static get(): CommitThread {
    if (CommitThread.#current === undefined || CommitThread.#current.stopped !== undefined) CommitThread.#current = new CommitThread();
    return CommitThread.#current;
  }

  get stopped(): RegistryError | undefined {
    return this.#stopped;
  }

  newStoreId(): number {
    return this.#nextStore++;
  }

  request(message: WorkerRequest & { readonly store: number }): Promise<unknown> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    const id = this.#next++;
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Held open while an answer is due: a process awaiting only a commit must not exit under it.
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, ...message });
    });
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #answer(message: unknown): void {
    if (!isObject(message) || message.type !== 'answer' || typeof message.id !== 'number') return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('fault' in message) pending.reject(decodeFault(message.fault));
    else pending.resolve(message.ok);
  }

  #stop(reason: string): void {
    this.#stopped ??= new RegistryError(
      'unavailable',
      `the SQLite commit worker stopped (${reason}): writes are refused until the server is restarted; reads are served from memory`,
    );
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(this.#stopped);
  }
}

/**
 * One store's end of the commit thread: requests out, answers back. When the thread stops
 * unexpectedly (terminated, crashed, out of memory) every pending request and every later one
 * fails with `unavailable`: a commit may or may not have reached the file, so the store refuses
 * writes until it is opened again, which reads the file afresh.
 */
export class WorkerLink {
  readonly #thread: CommitThread;
  readonly #store: number;
  #closed = false;

  private constructor(thread: CommitThread, store: number) {
    this.#thread = thread;
    this.#store = store;
  }

  /** Has the commit thread open the file and read the rows the views are built from. */
  static async open(start: WorkerStart): Promise<{ link: WorkerLink; rows: LoadedRows }> {
    const thread = CommitThread.get();
    const link = new WorkerLink(thread, thread.newStoreId());
    const rows = decodeLoaded(await thread.request({ type: 'open', store: link.#store, ...start }));
    return { link, rows };
  }

  /** Why the thread is gone, once it is. */
  get stopped(): RegistryError | undefined {
    return this.#thread.stopped;
  }

  /** Sends `request`; resolves with the worker's answer, still to be decoded. */
  request(request: WorkerRequest): Promise<unknown> {
    return this.#thread.request({ ...request, store: this.#store });
  }

  /** Closes this store's connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.request({ type: 'close' });
    } catch (error) {
      // A thread that already stopped holds no connection; any other failure is the close's own.
      if (this.stopped === undefined) throw error;
    }
  }

  /** Test-only: ends the commit thread as a crash would. */
  terminate(): Promise<void> {
    return this.#thread.terminate();
  }
}
