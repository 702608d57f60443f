/**
 * Memory one caller can pin, and a replay that stalls everyone else: real sockets that stop
 * reading (their TCP stream paused), against real servers with large registries.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { captureLogs, type LogCapture } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, seedServices, type TestSocket } from './support.js';

const MiB = 1024 * 1024;
/** About 31 KiB of metadata per service: 320 of them make a list answer of about 10 MB, more than loopback TCP buffers hold. */
const WIDE_METADATA = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(3_900)]));

const tcpOf = (ws: TestSocket): { pause(): void; resume(): void } => Reflect.get(ws.socket, '_socket') as { pause(): void; resume(): void };

async function seededServer(count: number, perWrite: number, options: Parameters<typeof startTestServer>[0], fields: object = {}): Promise<TestServer & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-unread-'));
  await chmod(dir, 0o755);
  await seedServices(dir, Array.from({ length: count }, (_, i) => ({ name: `svc-${i}`, host: '10.0.0.1', port: 1000 + (i % 60_000), ...fields })), perWrite);
  const srv = await startTestServer({ ...options, dataDir: dir, flags: { autoRegister: false } });
  return { ...srv, dir, close: async () => (await srv.close(), await rm(dir, { recursive: true, force: true })) };
}

/** Whether the server still answers on this connection once its big answer is read, or closed it. */
function stillServed(ws: TestSocket): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (data: unknown): void => {
      if ((JSON.parse(String(data)) as Obj).id === 'alive') finish(true);
      else ws.socket.send(JSON.stringify(envelope('alive', 'status')));
    };
    const onClose = (): void => finish(false);
    const finish = (alive: boolean): void => {
      ws.socket.off('message', onMessage);
      ws.socket.off('close', onClose);
      resolve(alive);
    };
    ws.socket.on('message', onMessage);
    ws.socket.once('close', onClose);
    if (ws.socket.readyState === ws.socket.CLOSED) finish(false);
  });
}

describe('a peer that stops reading', () => {
  let srv: TestServer;
  let logs: LogCapture;
  before(async () => {
    logs = captureLogs();
    srv = await seededServer(320, 320, { logger: logs.logger, streamLimits: { maxBufferedBytes: 4 * MiB } }, { metadata: WIDE_METADATA });
  });
  after(() => srv?.close());

  it('gets one answer, no second one queued behind it, and then close code 4008 however long it pauses', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    const tcp = tcpOf(ws);
    tcp.pause();
    for (const id of ['l1', 'l2', 'l3']) ws.send(envelope(id, 'list_services', { active_only: false }));
    await logs.waitFor((line) => line.msg === 'connection cut off', 20_000);
    // A consumer that reads slowly: longer than any grace a server could give before dropping the socket.
    await sleep(6_000);
    tcp.resume();
    const first = await ws.next(60_000);
    assert.equal(first.id, 'l1');
    assert.equal((first.result as Obj[]).length, 320);
    const { code, reason } = await ws.closed;
    assert.equal(code, 4008);
    assert.match(reason, /^slow_consumer: /);
  });
});

describe('many peers that each leave one big answer unread', () => {
  let srv: TestServer;
  let logs: LogCapture;
  before(async () => {
    logs = captureLogs();
    srv = await seededServer(320, 320, { logger: logs.logger, streamLimits: { maxBufferedBytes: 64 * MiB, maxTotalBufferedBytes: 8 * MiB } }, { metadata: WIDE_METADATA });
  });
  after(() => srv?.close());

  it('hold no more than the server-wide limit: the largest holders are cut first', async () => {
    const sockets = await Promise.all(Array.from({ length: 4 }, () => openSocket(srv.url, { ca: srv.caPem })));
    try {
      for (const ws of sockets) tcpOf(ws).pause();
      for (const ws of sockets) ws.send(envelope('big', 'list_services', { active_only: false }));
      await logs.waitFor((line) => line.msg === 'server-wide unread output over its limit: cutting the largest holder', 20_000);
      for (const ws of sockets) tcpOf(ws).resume();
      const served = await Promise.all(sockets.map(stillServed));
      // Each holds about 6 MB or more beyond what TCP takes: two of them are already past 8 MiB.
      assert.ok(served.filter((alive) => !alive).length >= 2, `connections still served: ${served.join(', ')}`);
    } finally {
      await Promise.all(sockets.map((ws) => ws.close()));
    }
  });
});

describe('a replay from far back', () => {
  const EVENTS = 40_000;
  let srv: TestServer;
  before(async () => {
    srv = await seededServer(EVENTS, 100, {});
  });
  after(() => srv?.close());

  it('is paged: a request sent after the first replayed event is answered before the replay ends', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    try {
      ws.send(envelope('sub', 'subscribe', { since_revision: 1, events: ['ServiceRegistered'] }));
      assert.equal(envelopeCode(await ws.next(30_000)), undefined);
      assert.equal((await ws.next(30_000)).type, 'event');
      ws.send(envelope('meanwhile', 'status'));
      let before = 1;
      for (let frame = await ws.next(30_000); frame.id !== 'meanwhile'; frame = await ws.next(30_000)) before++;
      let afterwards = 0;
      while (before + afterwards < EVENTS) {
        assert.equal((await ws.next(30_000)).type, 'event');
        afterwards++;
      }
      assert.ok(afterwards > 0, `the status answer came after all ${EVENTS} replayed events`);
    } finally {
      await ws.close();
    }
  });
});
