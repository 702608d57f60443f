/** Runs the UDP query load over threads against a DNS server on 127.0.0.1 and merges what they measured. */
import { type LoadFigures, runThreads } from '../load/run-load.js';
import { split } from '../lib/workers.js';
import type { DnsLoadJob } from './worker.js';

export interface DnsLoadOptions {
  readonly port: number;
  readonly names: readonly string[];
  /** Queries outstanding in all, spread over the threads. */
  readonly inFlight: number;
  readonly workers: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export function runDnsLoad(options: DnsLoadOptions): Promise<LoadFigures> {
  const threads = Math.max(1, Math.min(options.workers, options.inFlight));
  const jobs: DnsLoadJob[] = split(options.inFlight, threads).map((inFlight) => ({
    port: options.port,
    names: options.names,
    inFlight,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
  }));
  return runThreads(new URL('./worker.ts', import.meta.url), jobs);
}
