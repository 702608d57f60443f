import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ConnectionLimiter, TokenBucket } from '../../src/server/limits.js';
import { eventually } from '../helpers/log-capture.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, refusalOf, startConfiguredServer, type TestSocket } from './support.js';

describe('TokenBucket', () => {
  it('lets a burst through, then one request per refill interval', () => {
    const bucket = new TokenBucket(10, 3, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.take(99), false);
    assert.equal(bucket.take(100), true);
    assert.equal(bucket.take(100_000), true, 'a long pause refills at most the capacity');
    assert.deepEqual([bucket.take(100_000), bucket.take(100_000), bucket.take(100_000)], [true, true, false]);
  });
});

describe('ConnectionLimiter', () => {
  it('refuses past the per-address limit, counts loopback only in the total, and frees places on release', () => {
    const limiter = new ConnectionLimiter({ maxConnections: 4, maxConnectionsPerAddress: 2 });
    const first = limiter.admit('10.233.0.2');
    assert.equal(typeof first, 'function');
    assert.equal(typeof limiter.admit('::ffff:10.233.0.2'), 'function');
    const third = limiter.admit('10.233.0.2');
    assert.ok(typeof third !== 'function' && third.status === 503 && third.reason.includes('10.233.0.2'));
    assert.equal(typeof limiter.admit('127.0.0.1'), 'function');
    assert.equal(typeof limiter.admit('::1'), 'function');
    const full = limiter.admit('127.0.0.1');
    assert.ok(typeof full !== 'function' && /limit of 4 connections/.test(full.reason));
    if (typeof first === 'function') {
      first();
      first(); // a second release changes nothing
    }
    assert.equal(limiter.open, 3);
    assert.equal(typeof limiter.admit('10.233.0.2'), 'function');
  });
});

describe('limits over the wire', () => {
  let srv: TestServer;
  const sockets: TestSocket[] = [];
  const open = async (options: Parameters<typeof openSocket>[1] = {}): Promise<TestSocket> => {
    const socket = await openSocket(srv.url, { ca: srv.caPem, ...options });
    sockets.push(socket);
    return socket;
  };
  before(async () => {
    srv = await startConfiguredServer(
      ['[server]', 'max_frame_bytes = 2048', '[limits]', 'max_connections = 6', 'requests_per_second = 1', 'request_burst = 40', 'max_pending_requests = 2', 'max_subscriptions = 2', 'idle_timeout = 1'].join('\n'),
    );
  });
  afterEach(() => Promise.all(sockets.splice(0).map((s) => s.close())));
  after(() => srv?.close());

  it('refuses a connection past max_connections with HTTP 503 and admits one again after a close', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => open()));
    const refused = await refusalOf(srv.url, { ca: srv.caPem });
    assert.equal(refused.status, 503);
    assert.match(refused.body, /limit of 6 connections/);
    await Promise.all(held.map((s) => s.close()));
    const again = await eventually(async () => openSocket(srv.url, { ca: srv.caPem }).catch(() => undefined), 5_000, 'a free place');
    await again.close();
  });

  it('answers frames above max_frame_bytes with frame_too_large and keeps the connection', async () => {
    const ws = await open();
    assert.equal(envelopeCode(await ws.call(envelope('first', 'status'))), undefined);
    const answer = await ws.call(envelope('big', 'list_services', { padding: 'x'.repeat(4096) }));
    assert.equal(answer.id, '', 'the frame is not read, so its id is not known; the dialect is the last one used');
    assert.equal(envelopeCode(answer), 'frame_too_large');
    assert.equal((await ws.call(envelope('small', 'status'))).id, 'small');
  });

  it('answers limit_exceeded past max_subscriptions', async () => {
    const ws = await open();
    assert.equal(envelopeCode(await ws.call(envelope('s1', 'subscribe'))), undefined);
    assert.equal(envelopeCode(await ws.call(envelope('s2', 'subscribe'))), undefined);
    const third = await ws.call(envelope('s3', 'subscribe'));
    assert.equal(envelopeCode(third), 'limit_exceeded');
    assert.match(String((third.error as Obj).message), /at most 2 subscriptions/);
  });

  it('answers limit_exceeded to requests past max_pending_requests and every request gets one answer', async () => {
    const ws = await open();
    const count = 30;
    for (let i = 0; i < count; i++) ws.send(envelope(`p${i}`, 'register', { name: `pending-${i}`, host: '10.0.0.1', port: 1000 + i }));
    const answers = await Promise.all(Array.from({ length: count }, () => ws.next()));
    assert.deepEqual(answers.map((a) => a.id).sort(), Array.from({ length: count }, (_, i) => `p${i}`).sort());
    const codes = answers.map(envelopeCode);
    assert.ok(codes.every((c) => c === undefined || c === 'limit_exceeded'), codes.join(','));
    assert.ok(codes.includes('limit_exceeded'), 'more than 2 writes were running at once');
    assert.ok(codes.includes(undefined), 'the first writes ran');
  });

  it('answers rate_limited in the dialect of each frame once the bucket is empty', async () => {
    const ws = await open();
    for (let i = 0; i < 40; i++) ws.send(envelope(`r${i}`, 'status'));
    await Promise.all(Array.from({ length: 40 }, () => ws.next()));
    const limited = await ws.call(envelope('over', 'status'));
    assert.equal(envelopeCode(limited), 'rate_limited');
    assert.match(String((limited.error as Obj).message), /at most 1 per second/);
    const rpc = await ws.call({ jsonrpc: '2.0', id: 7, method: 'registry.list' });
    assert.equal(rpc.id, 7);
    assert.equal((rpc.error as Obj).code, -32029);
    ws.send({ jsonrpc: '2.0', id: 8, method: 'registry-hub.call', params: { method: 'registry.list' } });
    const [ack, item, done] = [await ws.next(), await ws.next(), await ws.next()];
    assert.equal(ack?.id, 8);
    const error = (item?.params as Obj).result as Obj;
    assert.equal(error.type, 'error');
    assert.equal(error.code, '-32029');
    assert.equal(error.recoverable, true);
    assert.equal(((done?.params as Obj).result as Obj).type, 'done');
  });

  it('counts the hub call _info like any request: past the burst it answers rate_limited', async () => {
    const ws = await open();
    const info = { jsonrpc: '2.0', method: 'registry-hub.call', params: { method: '_info' } };
    for (let i = 0; i < 45; i++) ws.send({ ...info, id: i });
    const frames = await Promise.all(Array.from({ length: 45 * 3 }, () => ws.next()));
    const items = frames.map((f) => ((f.params as Obj | undefined)?.result as Obj | undefined)).filter((r): r is Obj => r !== undefined && r.type !== 'done');
    const limited = items.filter((r) => r.type === 'error' && r.code === '-32029');
    assert.equal(items.length, 45, 'each _info answers one item');
    assert.ok(limited.length >= 5, `${limited.length} of 45 _info calls were limited at a burst of 40`);
  });

  it('drops a peer that answers no ping within the idle timeout and keeps one that does', async () => {
    const silent = await open({ autoPong: false });
    const live = await open();
    const { code } = await silent.closed;
    assert.equal(code, 1006, 'terminated without a close handshake');
    assert.equal(live.socket.readyState, live.socket.OPEN);
    assert.equal((await live.call(envelope('alive', 'status'))).id, 'alive', 'still answered');
  });
});

describe('unread answers', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startConfiguredServer('', { streamLimits: { maxBufferedBytes: 64 * 1024 } });
  });
  after(() => srv?.close());

  it('disconnects a peer that sends requests but reads no answers, with close code 4008', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    const metadata = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(4000)]));
    for (let i = 0; i < 8; i++) {
      assert.equal(envelopeCode(await ws.call(envelope(`big${i}`, 'register', { name: `wide-${i}`, host: '10.0.0.1', port: 1, metadata }))), undefined);
    }
    const raw = Reflect.get(ws.socket, '_socket') as { pause(): void; resume(): void };
    raw.pause();
    for (let i = 0; i < 100; i++) ws.send(envelope(`l${i}`, 'list_services'));
    await new Promise((resolve) => setImmediate(resolve));
    raw.resume();
    const { code, reason } = await ws.closed;
    assert.equal(code, 4008);
    assert.match(reason, /slow_consumer/);
  });
});
