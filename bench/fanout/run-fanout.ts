/**
 * Fan-out: S subscribers connected and subscribed, a writer registering at a fixed rate (open
 * loop), every event timed from the writer's send (so the figure includes the commit) to each
 * subscriber's receipt, and every subscriber checked for every event exactly once.
 */
import type WebSocket from 'ws';
import { concatSamples, round, summarise, wallNow } from '../lib/stats.js';
import { split, startWorkers } from '../lib/workers.js';
import { timed } from '../lib/phases.js';
import { registerFrame, responseError } from '../load/frames.js';
import { openSocket } from '../load/socket.js';
import { etcdClient } from '../etcd/etcd-process.js';
import type { SubscriberJob } from './subscriber-worker.js';
import type { FanoutDone, FanoutExpect } from './tally.js';
import type { WatcherJob } from './watcher-worker.js';

export interface FanoutShape {
  readonly subscribers: number;
  readonly workers: number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** How long subscribers may take to receive the last events after the writer is done. */
  readonly graceMs: number;
}

export interface FanoutFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly committed: number;
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly completeSubscribers: number;
  readonly subscribers: number;
  readonly writeErrors: number;
  readonly firstWriteError?: string;
  /** The writer's own send → acknowledgement (commit) latency. */
  readonly commitP50: number;
  readonly closedEarly: number;
  readonly firstClose?: string;
}

/** Writes one event; resolves with the send → commit time, or rejects with the reason. */
type WriteOne = (i: number) => Promise<number>;

interface WriterTally {
  committed: number;
  errors: number;
  firstError: string | undefined;
  readonly commits: number[];
}

async function paced(shape: FanoutShape, write: WriteOne): Promise<WriterTally> {
  const total = Math.max(1, Math.round((shape.ratePerSecond * shape.durationMs) / 1000));
  const interval = 1000 / shape.ratePerSecond;
  const tally: WriterTally = { committed: 0, errors: 0, firstError: undefined, commits: [] };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      write(i).then(
        (ms) => {
          tally.committed++;
          tally.commits.push(ms);
        },
        (error: unknown) => {
          tally.errors++;
          tally.firstError ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(pending);
  return tally;
}

/**
 * How many writes were committed. A failed write may still commit (etcd's `request timed out`
 * leaves the proposal in flight), so etcd counts its keys; the registry's answers are final.
 */
type CountCommitted = (acknowledged: number) => Promise<number>;

/** Runs the subscriber threads, then the writer, then waits for every delivery (or the grace time). */
async function fanout<Job>(script: URL, jobs: readonly Job[], shape: FanoutShape, write: WriteOne, count: CountCommitted): Promise<FanoutFigures> {
  const run = startWorkers<Job, FanoutDone>(script, jobs);
  try {
    await timed('start', () => run.ready);
    const { writer, done } = await timed('measure', async () => {
      const writer = await paced(shape, write);
      writer.committed = await count(writer.committed);
      const expect: FanoutExpect = { expect: writer.committed, graceMs: shape.graceMs };
      run.go(expect);
      return { writer, done: await run.done };
    });
    const delivered = done.reduce((n, d) => n + d.delivered, 0);
    const expected = writer.committed * shape.subscribers;
    const latency = summarise(concatSamples(done.map((d) => d.samples)));
    const firstClose = done.find((d) => d.firstClose !== undefined)?.firstClose;
    return {
      p50: latency.p50,
      p99: latency.p99,
      max: latency.max,
      committed: writer.committed,
      expected,
      delivered,
      lost: expected - delivered,
      duplicates: done.reduce((n, d) => n + d.duplicates, 0),
      completeSubscribers: done.reduce((n, d) => n + d.complete, 0),
      subscribers: shape.subscribers,
      writeErrors: writer.errors,
      ...(writer.firstError === undefined ? {} : { firstWriteError: writer.firstError }),
      commitP50: round(summarise(writer.commits).p50),
      closedEarly: done.reduce((n, d) => n + d.closedEarly, 0),
      ...(firstClose === undefined ? {} : { firstClose }),
    };
  } finally {
    await timed('stop', () => run.terminate());
  }
}

/** One writer socket with many requests in flight, matched to their answers by id. */
function socketWriter(socket: WebSocket, runId: string): WriteOne {
  const waiting = new Map<string, { readonly sentAt: number; resolve: (ms: number) => void; reject: (e: Error) => void }>();
  socket.on('message', (data) => {
    const text = data.toString();
    const id = /"id":"([^"]*)"/.exec(text)?.[1];
    const entry = id === undefined ? undefined : waiting.get(id);
    if (id === undefined || entry === undefined) return;
    waiting.delete(id);
    const error = responseError(text);
    if (error === undefined) entry.resolve(performance.now() - entry.sentAt);
    else entry.reject(new Error(error));
  });
  return (i) =>
    new Promise((resolve, reject) => {
      const sentAt = performance.now();
      waiting.set(String(i), { sentAt, resolve, reject });
      socket.send(registerFrame(i, `fan-${runId}-${i}`, 4_444, 'fan-out', { bench_t: wallNow().toFixed(3) }));
    });
}

/** The registry's fan-out: subscribers over TLS WebSockets, the writer registering new services. */
export async function runOursFanout(url: string, ca: string, shape: FanoutShape): Promise<FanoutFigures> {
  const jobs: SubscriberJob[] = split(shape.subscribers, shape.workers).map((subscribers) => ({ url, ca, subscribers }));
  const socket = await openSocket(url, { ca });
  try {
    const runId = Date.now().toString(36);
    const acknowledged: CountCommitted = async (n) => n;
    return await fanout(new URL('./subscriber-worker.ts', import.meta.url), jobs, shape, socketWriter(socket, runId), acknowledged);
  } finally {
    socket.terminate();
  }
}

/** etcd's fan-out: watchers on a prefix, the writer putting new keys holding a service document. */
export async function runEtcdFanout(endpoint: string, ca: string, shape: FanoutShape, document: string): Promise<FanoutFigures> {
  const prefix = `/fan/${Date.now().toString(36)}/`;
  const jobs: WatcherJob[] = split(shape.subscribers, shape.workers).map((subscribers) => ({ endpoint, ca, subscribers, prefix }));
  const client = etcdClient(endpoint, ca);
  try {
    const write: WriteOne = async (i) => {
      const sentAt = performance.now();
      await client.put(`${prefix}${i}`).value(`{"bench_t":"${wallNow().toFixed(3)}","service":${document}}`);
      return performance.now() - sentAt;
    };
    const stored: CountCommitted = () => client.getAll().prefix(prefix).count();
    return await fanout(new URL('./watcher-worker.ts', import.meta.url), jobs, shape, write, stored);
  } finally {
    client.close();
  }
}
