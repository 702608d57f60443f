/**
 * Registry subscribers for the fan-out scenario: each connection subscribes to
 * ServiceRegistered with `batch: true` (what queues up arrives as one frame) and times every
 * event from the writer's send to its own receipt.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type WebSocket from 'ws';
import { openSockets } from '../load/socket.js';
import { FanoutTally, type FanoutExpect } from './tally.js';

export interface SubscriberJob {
  readonly url: string;
  readonly ca: string;
  readonly subscribers: number;
}

/** Sends `subscribe` and resolves with the error of its answer, or undefined when it succeeded. */
function subscribe(socket: WebSocket, id: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    socket.once('message', (data) => {
      const frame: unknown = JSON.parse(data.toString());
      const error = typeof frame === 'object' && frame !== null && 'error' in frame ? frame.error : undefined;
      resolve(error === undefined ? undefined : JSON.stringify(error));
    });
    socket.send(JSON.stringify({ id: `s${id}`, type: 'request', action: 'subscribe', params: { events: ['ServiceRegistered'], batch: true } }));
  });
}

/**
 * Frames are read with regular expressions, not JSON.parse: the subscribers share the machine
 * with the server. A frame (`"type":"event"`, or a batch, `"type":"events"`) holds one or more
 * events, each `"event":…,"revision":N,…` with the writer's `bench_t` inside its service.
 */
const EVENT_PREFIX = '{"type":"event';
const EACH_EVENT = /"event":"\w+","revision":(\d+)[^]*?"bench_t":"([0-9.]+)"/g;

function listen(socket: WebSocket, i: number, tally: FanoutTally, running: { closing: boolean }): void {
  socket.on('message', (data) => {
    const text = data.toString();
    if (!text.startsWith(EVENT_PREFIX)) return;
    for (const [, revision, sentAt] of text.matchAll(EACH_EVENT)) tally.receive(i, Number(revision), Number(sentAt));
  });
  socket.once('close', (code, reason) => {
    if (!running.closing) tally.closed(`${code} ${reason.toString()}`);
  });
}

async function main(job: SubscriberJob): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('subscriber-worker.ts runs as a worker thread');
  const sockets = await openSockets(job.url, job.subscribers, { ca: job.ca });
  const answers = await Promise.all(sockets.map((s, i) => subscribe(s, i)));
  const refused = answers.find((a) => a !== undefined);
  if (refused !== undefined) {
    for (const s of sockets) s.terminate();
    port.postMessage({ type: 'failed', message: `subscribe refused: ${refused}` });
    return;
  }
  const tally = new FanoutTally(job.subscribers);
  const running = { closing: false };
  sockets.forEach((s, i) => listen(s, i, tally, running));
  port.postMessage({ type: 'ready' });
  const expect = await new Promise<FanoutExpect>((resolve) => port.once('message', resolve));
  await tally.wait(expect);
  running.closing = true;
  for (const s of sockets) s.terminate();
  const done = tally.result();
  port.postMessage(done, [done.samples.buffer]);
}

main(workerData as SubscriberJob).catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
