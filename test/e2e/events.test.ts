import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureLogs } from '../helpers/log-capture.js';
import { registerMany, serverWithSocket, serviceName, subscribe } from '../helpers/event-requests.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

describe('subscribe', () => {
  const suite = serverWithSocket();

  it('delivers a live event with its revision in the action envelope', async () => {
    const ws = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      const opened = await subscribe(ws, { events: ['ServiceRegistered'] });
      await registerMany(suite.socket, 'live', 1);
      const event = await ws.next();
      assert.equal(event.type, 'event');
      assert.equal(event.event, 'ServiceRegistered');
      assert.equal(event.subscription, opened.subscription);
      assert.equal(event.revision, Number(opened.revision) + 1);
      assert.equal(serviceName(event), 'live-0');
    } finally {
      await ws.close();
    }
  });

  it('replays exactly the 500 registrations a subscriber missed, in order, then live ones', async () => {
    const first = await openRawSocket(suite.srv.url, suite.srv.caPem);
    await subscribe(first, { events: ['ServiceRegistered'], services: ['miss-*'] });
    await registerMany(suite.socket, 'miss', 1);
    const seen = await first.next();
    await first.close();

    await registerMany(suite.socket, 'miss-gap', 500);
    const again = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      await subscribe(again, { events: ['ServiceRegistered'], services: ['miss-*'], since_revision: Number(seen.revision) + 1 });
      const replayed = await again.take(500, 20_000);
      assert.deepEqual(replayed.map(serviceName), Array.from({ length: 500 }, (_, i) => `miss-gap-${i}`));
      const revisions = replayed.map((f) => Number(f.revision));
      assert.ok(revisions.every((r, i) => i === 0 || r > (revisions[i - 1] ?? 0)), 'revisions increase');
      await registerMany(suite.socket, 'miss-live', 1);
      assert.equal(serviceName(await again.next()), 'miss-live-0');
      await assert.rejects(again.next(300), /no frame/, 'nothing is delivered twice');
    } finally {
      await again.close();
    }
  });

  it('gives each of 200 concurrent subscribers every event exactly once', async () => {
    const sockets = await Promise.all(Array.from({ length: 200 }, () => openRawSocket(suite.srv.url, suite.srv.caPem)));
    try {
      await Promise.all(sockets.map((ws) => subscribe(ws, { events: ['ServiceRegistered'], services: ['fan-*'] })));
      await registerMany(suite.socket, 'fan', 50);
      const expected = Array.from({ length: 50 }, (_, i) => `fan-${i}`);
      for (const ws of sockets) assert.deepEqual((await ws.take(50, 20_000)).map(serviceName), expected);
      await Promise.all(sockets.map((ws) => assert.rejects(ws.next(200), /no frame/)));
    } finally {
      await Promise.all(sockets.map((ws) => ws.close()));
    }
  });

  it('answers resync_required naming the compaction point for a revision compacted away', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-compact-'));
    await writeFile(join(dataDir, 'backends.toml'), '[storage]\nevent_retention = 5\n');
    const small = await startTestServer({ dataDir });
    const ws = await openRawSocket(small.url, small.caPem);
    try {
      await registerMany(ws, 'c', 20);
      ws.send({ id: 'x', type: 'request', action: 'subscribe', params: { since_revision: 1 } });
      const error = (await ws.next()).error as Obj;
      assert.equal(error.code, 'resync_required');
      const compactRevision = Number((error.details as Obj).compactRevision);
      assert.ok(compactRevision >= 1);
      await subscribe(ws, { since_revision: compactRevision + 1 });
      const first = await ws.next();
      assert.equal(first.revision, compactRevision + 1);
    } finally {
      await ws.close();
      await small.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a negative since_revision naming the field', async () => {
    const ws = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      ws.send({ id: 'x', type: 'request', action: 'subscribe', params: { since_revision: -1 } });
      const bad = (await ws.next()).error as Obj;
      assert.equal(bad.code, 'invalid_params');
      assert.match(String(bad.message), /since_revision/);
    } finally {
      await ws.close();
    }
  });

  it('streams events through JSON-RPC and hub subscriptions, and ends the hub stream on unsubscribe', async () => {
    const ws = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      ws.send({ jsonrpc: '2.0', id: 1, method: 'registry.subscribe', params: { events: ['ServiceDeregistered'] } });
      const direct = (await ws.next()).result as Obj;
      assert.equal(direct.type, 'subscribed');
      ws.send({ jsonrpc: '2.0', id: 2, method: 'registry-hub.call', params: { method: 'registry.subscribe', params: { events: ['ServiceDeregistered'] } } });
      const [ack, subscribed] = await ws.take(2);
      const hubId = ack?.result;
      assert.equal(((subscribed?.params as Obj).result as Obj).type, 'data');
      suite.socket.send({ jsonrpc: '2.0', id: 3, method: 'registry.delete', params: { name: 'live-0' } });
      await suite.socket.next();
      const frames = await ws.take(2);
      const rpc = frames.find((f) => f.method === 'registry.event');
      const hub = frames.find((f) => f.method === 'registry-hub.call');
      assert.equal((rpc?.params as Obj).subscription, direct.subscription);
      assert.equal(((rpc?.params as Obj).result as Obj).event, 'ServiceDeregistered');
      const item = (hub?.params as Obj).result as Obj;
      assert.equal((hub?.params as Obj).subscription, hubId);
      assert.equal(item.content_type, 'registry.event');
      assert.equal((item.content as Obj).event, 'ServiceDeregistered');
      ws.send({ jsonrpc: '2.0', id: 4, method: 'registry-hub.call_unsub', params: [hubId] });
      const [done, unsub] = await ws.take(2);
      const byId = [done, unsub].find((f) => f?.id === 4);
      const end = [done, unsub].find((f) => f?.method === 'registry-hub.call');
      assert.equal(byId?.result, true);
      assert.equal(((end?.params as Obj).result as Obj).type, 'done');
    } finally {
      await ws.close();
    }
  });
});

describe('subscribe with a subscriber that stops reading', () => {
  it('cuts the subscriber off with slow_consumer while writes go on', async () => {
    const logs = captureLogs();
    const srv = await startTestServer({ logger: logs.logger, streamLimits: { maxBufferedBytes: 256 * 1024 } });
    const writer = await openRawSocket(srv.url, srv.caPem);
    const slow = await openRawSocket(srv.url, srv.caPem);
    try {
      await subscribe(slow, { events: ['ServiceRegistered', 'ServiceUpdated'] });
      const closed = new Promise<{ code: number; reason: string }>((resolve) => slow.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      const tcp = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      tcp.pause();
      const heapBefore = process.memoryUsage().heapUsed;
      let rounds = 0;
      while (!logs.lines.some((l) => l.msg === 'connection cut off') && rounds < 40) {
        await registerMany(writer, `slow-${rounds++}`, 500);
      }
      const cut = await logs.waitFor((l) => l.msg === 'connection cut off', 1_000);
      assert.equal(cut.code, 'slow_consumer');
      tcp.resume();
      const { code, reason } = await closed;
      assert.ok(code === 4008 || code === 1006, `closed with 4008 (or dropped), got ${code}`);
      if (code === 4008) assert.match(reason, /^slow_consumer: /);
      await registerMany(writer, 'after-cut', 100);
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(heapGrowth < 256 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`);
    } finally {
      await slow.close();
      await writer.close();
      await srv.close();
    }
  });
});
