/**
 * Runs load generator threads in step: every thread reports `ready` after its setup, then all
 * get `go` together, and each answers once with its result (`done`) or its failure (`failed`).
 */
import { Worker } from 'node:worker_threads';

export interface WorkerRun<Done> {
  /** Resolves once every thread is ready. */
  readonly ready: Promise<void>;
  /** Tells every thread to start. */
  go(payload?: unknown): void;
  /** Every thread's result, in order. */
  readonly done: Promise<Done[]>;
  terminate(): Promise<void>;
}

interface Pending<Done> {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly done: Promise<Done>;
}

function watch<Done>(worker: Worker): Pending<Done> {
  let markReady: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const done = new Promise<Done>((resolve, reject) => {
    const failBoth = (error: Error): void => {
      fail(error);
      reject(error);
    };
    worker.on('message', (message: { type: string; message?: string }) => {
      if (message.type === 'ready') markReady();
      else if (message.type === 'failed') failBoth(new Error(message.message ?? 'worker failed'));
      else if (message.type === 'done') resolve(message as Done);
    });
    worker.once('error', failBoth);
    worker.once('exit', (code) => failBoth(new Error(`worker exited with code ${code} before it was done`)));
  });
  ready.catch(() => {});
  done.catch(() => {});
  return { worker, ready, done };
}

/**
 * A thread running a .ts module: Node 20 does not carry tsx's loader hooks into worker threads,
 * so a small bootstrap registers them there before importing the module.
 */
export function tsWorker(script: URL, workerData: unknown): Worker {
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Starts one thread per job running `script` (a URL of a .ts module). */
export function startWorkers<Job, Done>(script: URL, jobs: readonly Job[]): WorkerRun<Done> {
  const pending = jobs.map((job) => watch<Done>(tsWorker(script, job)));
  return {
    ready: Promise.all(pending.map((p) => p.ready)).then(() => undefined),
    go: (payload) => {
      for (const p of pending) p.worker.postMessage(payload ?? 'go');
    },
    done: Promise.all(pending.map((p) => p.done)),
    terminate: async () => {
      await Promise.all(pending.map((p) => p.worker.terminate()));
    },
  };
}

/** Splits `total` items over `parts` as evenly as possible. */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
