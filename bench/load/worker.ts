/**
 * A request/response load generator thread: opens its connections, reports `ready`, and on
 * `go` keeps one request in flight per connection until the deadline, timing each round trip.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type WebSocket from 'ws';
import { SampleBuffer } from '../lib/stats.js';
import { frameMaker, responseError, type Workload } from './frames.js';
import { closeSockets, openSockets } from './socket.js';

export interface LoadJob {
  readonly url: string;
  readonly ca: string;
  readonly connections: number;
  /** Index of this worker's first connection among all workers' (spreads names across connections). */
  readonly firstConnection: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly workload: Workload;
}

export interface LoadDone {
  readonly type: 'done';
  readonly ops: number;
  /** Answers received including the warm-up: what the server's CPU time divides by. */
  readonly totalOps: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly measuredMs: number;
  readonly samples: Float64Array;
}

interface Tally {
  readonly samples: SampleBuffer;
  ops: number;
  totalOps: number;
  errors: number;
  firstError: string | undefined;
}

function drive(socket: WebSocket, next: (id: number) => string, measureFrom: number, deadline: number, tally: Tally): Promise<void> {
  return new Promise((resolve) => {
    let id = 0;
    let sentAt = 0;
    const send = (): void => {
      sentAt = performance.now();
      if (sentAt >= deadline) return resolve();
      socket.send(next(++id));
    };
    socket.on('message', (data) => {
      const now = performance.now();
      const error = responseError(data.toString());
      tally.totalOps++;
      if (sentAt >= measureFrom) {
        if (error === undefined) {
          tally.ops++;
          tally.samples.push(now - sentAt);
        } else {
          tally.errors++;
          tally.firstError ??= error;
        }
      }
      send();
    });
    socket.once('close', (code, reason) => {
      if (performance.now() < deadline) {
        tally.errors++;
        tally.firstError ??= `the connection closed early: ${code} ${reason.toString()}`;
      }
      resolve();
    });
    send();
  });
}

async function main(job: LoadJob): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts runs as a worker thread');
  const sockets = await openSockets(job.url, job.connections, { ca: job.ca });
  port.postMessage({ type: 'ready' });
  await new Promise<void>((resolve) => port.once('message', () => resolve()));
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const deadline = measureFrom + job.durationMs;
  const tally: Tally = { samples: new SampleBuffer(), ops: 0, totalOps: 0, errors: 0, firstError: undefined };
  await Promise.all(sockets.map((s, i) => drive(s, frameMaker(job.workload, job.firstConnection + i), measureFrom, deadline, tally)));
  const measuredMs = performance.now() - measureFrom;
  await closeSockets(sockets);
  const samples = tally.samples.take();
  const done: LoadDone = { type: 'done', ops: tally.ops, totalOps: tally.totalOps, errors: tally.errors, firstError: tally.firstError, measuredMs, samples };
  port.postMessage(done, [samples.buffer]);
}

main(workerData as LoadJob).catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
