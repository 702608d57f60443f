/**
 * The etcd side of the request/response scenarios: one etcd3 client (its own HTTP/2 connection)
 * per concurrent loop, one request in flight on each, like the registry's load generator.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Etcd3 } from 'etcd3';
import { SampleBuffer } from '../lib/stats.js';
import { randomBelow } from '../load/frames.js';
import { seededName } from '../lib/names.js';
import type { LoadDone } from '../load/worker.js';
import { etcdClient } from './etcd-process.js';

export const ETCD_SERVICE_PREFIX = '/registry/services/';

export interface EtcdJob {
  readonly endpoint: string;
  readonly ca: string;
  readonly connections: number;
  readonly firstConnection: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** put: a durable write of `value` (with the port changed); range: a linearizable read of one key. */
  readonly kind: 'put' | 'range';
  readonly names: number;
  readonly value: string;
}

interface Tally {
  readonly samples: SampleBuffer;
  ops: number;
  totalOps: number;
  errors: number;
  firstError: string | undefined;
}

async function loop(client: Etcd3, job: EtcdJob, connection: number, window: { from: number; to: number }, tally: Tally): Promise<void> {
  let k = (connection * 7_919) % job.names;
  for (let i = 0; ; i++) {
    const started = performance.now();
    if (started >= window.to) return;
    try {
      if (job.kind === 'put') {
        k = (k + 1) % job.names;
        await client.put(ETCD_SERVICE_PREFIX + seededName(k)).value(job.value.replace('"port":4444', `"port":${1_024 + (i % 60_000)}`));
      } else {
        const found = await client.get(ETCD_SERVICE_PREFIX + seededName(randomBelow(job.names))).string();
        if (found === null) throw new Error('a seeded key was not found');
      }
      tally.totalOps++;
      if (started >= window.from) {
        tally.ops++;
        tally.samples.push(performance.now() - started);
      }
    } catch (error) {
      tally.errors++;
      tally.firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
}

async function main(job: EtcdJob): Promise<void> {
  process.noDeprecation = true; // grpc-js warns once per connection that an IP is not a TLS server name
  const port = parentPort;
  if (port === null) throw new Error('etcd/worker.ts runs as a worker thread');
  const clients = Array.from({ length: job.connections }, () => etcdClient(job.endpoint, job.ca));
  // A first call on every client opens its connection before the clock starts.
  await Promise.all(clients.map((c) => c.get('/bench/warm').string()));
  port.postMessage({ type: 'ready' });
  await new Promise<void>((resolve) => port.once('message', () => resolve()));
  const from = performance.now() + job.warmupMs;
  const window = { from, to: from + job.durationMs };
  const tally: Tally = { samples: new SampleBuffer(), ops: 0, totalOps: 0, errors: 0, firstError: undefined };
  await Promise.all(clients.map((c, i) => loop(c, job, job.firstConnection + i, window, tally)));
  const measuredMs = performance.now() - from;
  for (const client of clients) client.close();
  const samples = tally.samples.take();
  const done: LoadDone = { type: 'done', ops: tally.ops, totalOps: tally.totalOps, errors: tally.errors, firstError: tally.firstError, measuredMs, samples };
  port.postMessage(done, [samples.buffer]);
}

main(workerData as EtcdJob).catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
