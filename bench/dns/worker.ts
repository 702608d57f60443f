/**
 * A DNS load generator thread, `dig`-like queries over UDP: one socket, `inFlight` queries kept
 * outstanding (closed loop), each an A query with recursion desired and an EDNS0 OPT record for a
 * random name of the zone, timed from send to answer. An answer that is not NOERROR with at
 * least one record, or none within a second, counts as an error.
 */
import { createSocket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import * as packet from 'dns-packet';
import { SampleBuffer } from '../lib/stats.js';
import type { LoadDone } from '../load/worker.js';

export interface DnsLoadJob {
  readonly port: number;
  /** Names asked, picked at random. */
  readonly names: readonly string[];
  readonly inFlight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** How long an unanswered query waits before it counts as lost and its slot asks again. */
const LOST_AFTER_MS = 1_000;
/** Encoded queries to pick from: building one per send would measure dns-packet, not the server. */
const POOL = 2_048;

function queryPool(names: readonly string[]): Buffer[] {
  return Array.from({ length: Math.min(POOL, names.length) }, () => {
    const name = names[Math.floor(Math.random() * names.length)] ?? '';
    return packet.encode({
      type: 'query',
      id: 0,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type: 'A', name }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
  });
}

/** NOERROR and at least one answer record, read off the header. */
const answered = (reply: Buffer): boolean => reply.length >= 12 && (reply.readUInt16BE(2) & 0xf) === 0 && reply.readUInt16BE(6) > 0;

async function main(job: DnsLoadJob): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts runs as a worker thread');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const pool = queryPool(job.names);
  port.postMessage({ type: 'ready' });
  await new Promise<void>((resolve) => port.once('message', () => resolve()));

  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const deadline = measureFrom + job.durationMs;
  const samples = new SampleBuffer();
  const tally = { ops: 0, totalOps: 0, errors: 0, firstError: undefined as string | undefined };
  /** Send time of the query each id is waiting for (each thread has its own socket, so ids are its own). */
  const sentAt = new Map<number, number>();
  let sequence = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const send = (): void => {
    const now = performance.now();
    if (now >= deadline) {
      if (sentAt.size === 0) finish();
      return;
    }
    const query = pool[sequence % pool.length] ?? Buffer.alloc(0);
    const id = sequence++ & 0xffff;
    const bytes = Buffer.from(query);
    bytes.writeUInt16BE(id, 0);
    sentAt.set(id, now);
    socket.send(bytes, job.port, '127.0.0.1');
  };

  socket.on('message', (reply) => {
    const now = performance.now();
    const id = reply.readUInt16BE(0);
    const at = sentAt.get(id);
    if (at === undefined) return;
    sentAt.delete(id);
    tally.totalOps++;
    if (at >= measureFrom) {
      if (answered(reply)) {
        tally.ops++;
        samples.push(now - at);
      } else {
        tally.errors++;
        tally.firstError ??= `rcode ${reply.readUInt16BE(2) & 0xf}, ${reply.readUInt16BE(6)} answers`;
      }
    }
    send();
  });
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [id, at] of sentAt) {
      if (now - at < LOST_AFTER_MS) continue;
      sentAt.delete(id);
      if (at >= measureFrom) {
        tally.errors++;
        tally.firstError ??= `no answer within ${LOST_AFTER_MS} ms`;
      }
      send();
    }
  }, 100);
  for (let slot = 0; slot < job.inFlight; slot++) send();
  await finished;
  clearInterval(sweeper);
  const measuredMs = performance.now() - measureFrom;
  socket.close();
  const taken = samples.take();
  const done: LoadDone = { type: 'done', ...tally, measuredMs, samples: taken };
  port.postMessage(done, [taken.buffer]);
}

main(workerData as DnsLoadJob).catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
