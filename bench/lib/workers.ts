/**
 * Runs load generator threads in step: every thread reports `ready` after its setup, then all
 * get `go` together, and each answers once with its result (`done`) or its failure (`failed`).
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { projectRoot } from './child.js';

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

/** Where bundled thread modules go: inside the project, so the packages they import (ws, etcd3, dns-packet) resolve from its node_modules. */
const BUNDLE_DIR = join(projectRoot, 'node_modules', '.cache', 'registry-bench');
const bundles = new Map<string, Promise<string>>();

/**
 * A thread's .ts module and what it imports from the bench, bundled by esbuild into one plain ES
 * module (packages stay imports), once per run. A thread then starts under plain node: Node 20
 * does not carry tsx's loader hooks into worker threads, and registering them in each thread took
 * about 0.2 s of its start. The file is named by its content, so runs side by side share it.
 */
function bundled(script: URL): Promise<string> {
  let path = bundles.get(script.href);
  if (path === undefined) {
    path = (async () => {
      const result = await build({ entryPoints: [fileURLToPath(script)], bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', write: false, logLevel: 'silent' });
      const text = result.outputFiles[0]?.text;
      if (text === undefined) throw new Error(`esbuild wrote nothing for ${script.href}`);
      const file = join(BUNDLE_DIR, `${basename(dirname(fileURLToPath(script)))}-${basename(fileURLToPath(script), '.ts')}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
      await mkdir(BUNDLE_DIR, { recursive: true });
      const partial = `${file}.${process.pid}.tmp`;
      await writeFile(partial, text);
      await rename(partial, file);
      return file;
    })();
    bundles.set(script.href, path);
  }
  return path;
}

/** Starts one thread per job running `script` (a URL of a .ts module). */
export function startWorkers<Job, Done>(script: URL, jobs: readonly Job[]): WorkerRun<Done> {
  const pending = bundled(script).then((file) => jobs.map((job) => watch<Done>(new Worker(file, { workerData: job }))));
  pending.catch(() => {});
  return {
    ready: pending.then((all) => Promise.all(all.map((p) => p.ready))).then(() => undefined),
    go: (payload) => {
      void pending.then((all) => {
        for (const p of all) p.worker.postMessage(payload ?? 'go');
      });
    },
    done: pending.then((all) => Promise.all(all.map((p) => p.done))),
    terminate: async () => {
      const all = await pending.catch(() => []);
      await Promise.all(all.map((p) => p.worker.terminate()));
    },
  };
}

/** Splits `total` items over `parts` as evenly as possible. */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
