/**
 * etcd watchers for the fan-out scenario: one etcd3 client (its own connection) per subscriber,
 * each watching the writer's prefix and timing every put from the writer's send to receipt.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Etcd3, Watcher } from 'etcd3';
import { etcdClient } from '../etcd/etcd-process.js';
import { FanoutTally, type FanoutExpect, sentAtOf } from './tally.js';

export interface WatcherJob {
  readonly endpoint: string;
  readonly ca: string;
  readonly subscribers: number;
  readonly prefix: string;
}

async function watchOne(client: Etcd3, job: WatcherJob, i: number, tally: FanoutTally): Promise<Watcher> {
  const watcher = await client.watch().prefix(job.prefix).create();
  watcher.on('put', (kv) => tally.receive(i, Number(kv.mod_revision), sentAtOf(kv.value.toString()) ?? Number.NaN));
  watcher.on('error', (error: Error) => tally.closed(error.message));
  return watcher;
}

async function main(job: WatcherJob): Promise<void> {
  process.noDeprecation = true; // grpc-js warns once per connection that an IP is not a TLS server name
  const port = parentPort;
  if (port === null) throw new Error('watcher-worker.ts runs as a worker thread');
  const tally = new FanoutTally(job.subscribers);
  const clients = Array.from({ length: job.subscribers }, () => etcdClient(job.endpoint, job.ca));
  for (let first = 0; first < clients.length; first += 50) {
    const batch = clients.slice(first, first + 50);
    await Promise.all(batch.map((c, j) => watchOne(c, job, first + j, tally)));
  }
  port.postMessage({ type: 'ready' });
  const expect = await new Promise<FanoutExpect>((resolve) => port.once('message', resolve));
  await tally.wait(expect);
  // No cancel or close here: closing a client under a live watch stream rejects inside etcd3
  // where nothing can catch it. The parent terminates this thread, which drops the connections.
  const done = tally.result();
  port.postMessage(done, [done.samples.buffer]);
}

main(workerData as WatcherJob).catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
