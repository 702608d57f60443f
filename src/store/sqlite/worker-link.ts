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
 * The main thread's end of the commit worker: requests out, answers back by id. When the worker
 * stops unexpectedly (terminated, crashed, out of memory) every pending request and every later
 * one fails with `unavailable`: a commit may or may not have reached the file, so the store
 * refuses writes until it is opened again, which reads the file afresh.
 */
export class WorkerLink {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #stopped: RegistryError | undefined;
  #closing = false;
  readonly exited: Promise<void>;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: unknown) => this.#answer(message));
    worker.on('error', (error) => this.#stop(`it failed: ${error.message}`));
    worker.on('exit', (code) => this.#stop(`it exited with code ${String(code)}`));
    worker.unref();
  }

  /** Starts the worker and waits for it to open the file and read the rows the views are built from. */
  static async open(start: WorkerStart): Promise<{ link: WorkerLink; rows: LoadedRows }> {
    const worker = new Worker(workerUrl(), { workerData: start });
    const listeners: { message?: (value: unknown) => void; error?: (error: Error) => void; exit?: (code: number) => void } = {};
    const first = await new Promise<unknown>((resolve, reject) => {
      listeners.message = resolve;
      listeners.error = reject;
      listeners.exit = (code) => reject(new Error(`the SQLite commit worker exited with code ${String(code)} while opening`));
      worker.once('message', listeners.message).once('error', listeners.error).once('exit', listeners.exit);
    })
      .catch((cause: unknown) => {
        throw new RegistryError('unavailable', `cannot start the SQLite commit worker: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      })
      .finally(() => {
        // Not removeAllListeners(): the Worker's own listeners start and stop its message port.
        if (listeners.message) worker.off('message', listeners.message);
        if (listeners.error) worker.off('error', listeners.error);
        if (listeners.exit) worker.off('exit', listeners.exit);
      });
    if (isObject(first) && first.type === 'loaded') return { link: new WorkerLink(worker), rows: decodeLoaded(first.rows) };
    await worker.terminate();
    throw isObject(first) && first.type === 'failed' ? decodeFault(first.fault) : new RegistryError('unavailable', 'the SQLite commit worker did not open the database');
  }

  /** Why the worker is gone, once it is. */
  get stopped(): RegistryError | undefined {
    return this.#stopped;
  }

  /** Sends `request`; resolves with the worker's answer, still to be decoded. */
  request(request: WorkerRequest): Promise<unknown> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    const id = this.#next++;
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Held open while an answer is due: a process awaiting only a commit must not exit under it.
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, ...request });
    });
  }

  /** Closes the connection and lets the worker end. */
  async close(): Promise<void> {
    // Held open until it has ended: the caller awaits that.
    this.#closing = true;
    this.#worker.ref();
    try {
      if (this.#stopped === undefined) await this.request({ type: 'close' });
    } catch (error) {
      // A worker that already stopped holds no connection; any other failure is the close's own.
      if (this.#stopped === undefined) throw error;
    }
    await this.exited;
  }

  /** Test-only: ends the worker as a crash would. */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #answer(message: unknown): void {
    if (!isObject(message) || message.type !== 'answer' || typeof message.id !== 'number') return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0 && !this.#closing) this.#worker.unref();
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
