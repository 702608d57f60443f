import { concatSamples, round, summarise } from '../lib/stats.js';
import { split, startWorkers } from '../lib/workers.js';
import { timed } from '../lib/phases.js';
import type { Workload } from './frames.js';
import type { LoadDone, LoadJob } from './worker.js';

/** What one closed-loop run measured. */
export interface LoadFigures {
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly ops: number;
  /** Including the warm-up. */
  readonly totalOps: number;
  readonly errors: number;
  readonly firstError?: string;
}

export interface LoadShape {
  readonly connections: number;
  readonly workers: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LoadOptions extends LoadShape {
  readonly url: string;
  readonly ca: string;
  readonly workload: Workload;
}

/** The shape's connections spread over threads: each job says how many and where its numbering starts. */
export function spread(shape: LoadShape): { readonly connections: number; readonly firstConnection: number }[] {
  const threads = Math.max(1, Math.min(shape.workers, shape.connections));
  let first = 0;
  return split(shape.connections, threads).map((connections) => {
    const part = { connections, firstConnection: first };
    first += connections;
    return part;
  });
}

/** Runs the jobs' threads together and merges what they measured. */
export async function runThreads<Job>(script: URL, jobs: readonly Job[]): Promise<LoadFigures> {
  const run = startWorkers<Job, LoadDone>(script, jobs);
  try {
    await timed('start', () => run.ready);
    run.go();
    const results = await timed('measure', () => run.done);
    const ops = results.reduce((n, r) => n + r.ops, 0);
    const totalOps = results.reduce((n, r) => n + r.totalOps, 0);
    const errors = results.reduce((n, r) => n + r.errors, 0);
    const seconds = Math.max(...results.map((r) => r.measuredMs)) / 1000;
    const latency = summarise(concatSamples(results.map((r) => r.samples)));
    const firstError = results.find((r) => r.firstError !== undefined)?.firstError;
    return {
      opsPerSec: round(ops / seconds, 1),
      p50: latency.p50,
      p99: latency.p99,
      max: latency.max,
      ops,
      totalOps,
      errors,
      ...(firstError === undefined ? {} : { firstError }),
    };
  } finally {
    await timed('stop', () => run.terminate());
  }
}

/** N TLS WebSocket connections spread over threads, one request in flight on each, for the duration. */
export function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const jobs: LoadJob[] = spread(options).map((part) => ({
    ...part,
    url: options.url,
    ca: options.ca,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    workload: options.workload,
  }));
  return runThreads(new URL('./worker.ts', import.meta.url), jobs);
}
