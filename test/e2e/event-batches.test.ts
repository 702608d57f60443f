/**
 * Batch frames (`subscribe {batch: true}`): the events that queue up for a subscription leave as
 * one frame, each event an object with its own revision, in order, each once, resumable by revision.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { MAX_BATCH_EVENTS } from '../../src/server/subscription.js';
import { registerMany, serverWithSocket, serviceName, subscribe } from '../helpers/event-requests.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

/** Reads batch frames until `count` events have arrived; returns the frames. */
async function takeEvents(ws: RawSocket, count: number): Promise<Obj[]> {
  const frames: Obj[] = [];
  for (let seen = 0; seen < count; ) {
    const frame = await ws.next(20_000);
    assert.equal(frame.type, 'events', `a batched subscription gets batch frames, not ${JSON.stringify(frame).slice(0, 80)}`);
    frames.push(frame);
    seen += (frame.events as Obj[]).length;
  }
  return frames;
}

const eventsOf = (frames: readonly Obj[]): Obj[] => frames.flatMap((f) => f.events as Obj[]);

describe('subscribe with batch', () => {
  const suite = serverWithSocket();

  it('replays missed events as frames of several events, each with its revision, in order and once', async () => {
    const start = Number((await subscribe(suite.socket, { events: ['IpAllocated'] })).revision);
    const count = MAX_BATCH_EVENTS + 44;
    await registerMany(suite.socket, 'replay', count);
    const ws = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      const opened = await subscribe(ws, { events: ['ServiceRegistered'], services: ['replay-*'], since_revision: start + 1, batch: true });
      const frames = await takeEvents(ws, count);
      assert.ok(frames.length < count, `${count} events came in ${frames.length} frames`);
      assert.ok(frames.every((f) => (f.events as Obj[]).length <= MAX_BATCH_EVENTS), 'no frame carries more than MAX_BATCH_EVENTS events');
      assert.ok(frames.every((f) => f.subscription === opened.subscription));
      const events = eventsOf(frames);
      assert.deepEqual(events.map(serviceName), Array.from({ length: count }, (_, i) => `replay-${i}`));
      const revisions = events.map((e) => Number(e.revision));
      assert.ok(revisions.every((r, i) => i === 0 || r > (revisions[i - 1] ?? 0)), 'revisions increase');
      assert.ok(events.every((e) => e.event === 'ServiceRegistered' && typeof e.index === 'number' && typeof e.timestamp === 'number'));
      await assert.rejects(ws.next(300), /no frame/, 'nothing is delivered twice');
    } finally {
      await ws.close();
    }
  });

  it('resumes after the last revision read from inside a batch: the rest once, nothing twice', async () => {
    const start = Number((await subscribe(suite.socket, { events: ['IpAllocated'] })).revision);
    await registerMany(suite.socket, 'resume', 40);
    const first = await openRawSocket(suite.srv.url, suite.srv.caPem);
    await subscribe(first, { events: ['ServiceRegistered'], services: ['resume-*'], since_revision: start + 1, batch: true });
    const seen = eventsOf(await takeEvents(first, 40));
    await first.close();
    const cut = seen[16];
    assert.ok(cut !== undefined);
    const again = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      await subscribe(again, { events: ['ServiceRegistered'], services: ['resume-*'], since_revision: Number(cut.revision) + 1, batch: true });
      const rest = eventsOf(await takeEvents(again, 23));
      assert.deepEqual(rest.map(serviceName), Array.from({ length: 23 }, (_, i) => `resume-${i + 17}`));
      await assert.rejects(again.next(300), /no frame/);
    } finally {
      await again.close();
    }
  });

  it('delivers live events in order and once to batched and unbatched subscribers side by side', async () => {
    const batched = await openRawSocket(suite.srv.url, suite.srv.caPem);
    const single = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      await subscribe(batched, { events: ['ServiceRegistered'], services: ['live-*'], batch: true });
      await subscribe(single, { events: ['ServiceRegistered'], services: ['live-*'] });
      await registerMany(suite.socket, 'live', 60);
      const expected = Array.from({ length: 60 }, (_, i) => `live-${i}`);
      assert.deepEqual(eventsOf(await takeEvents(batched, 60)).map(serviceName), expected);
      const singles = await single.take(60, 20_000);
      assert.ok(singles.every((f) => f.type === 'event'), 'a subscription without batch gets one frame per event');
      assert.deepEqual(singles.map(serviceName), expected);
      await Promise.all([batched, single].map((ws) => assert.rejects(ws.next(300), /no frame/)));
    } finally {
      await Promise.all([batched.close(), single.close()]);
    }
  });

  it('sends batch frames in the JSON-RPC and hub dialects, each event with its revision', async () => {
    await registerMany(suite.socket, 'dialect', 2);
    const ws = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      ws.send({ jsonrpc: '2.0', id: 1, method: 'registry.subscribe', params: { events: ['ServiceDeregistered'], batch: true } });
      const direct = (await ws.next()).result as Obj;
      ws.send({ jsonrpc: '2.0', id: 2, method: 'registry-hub.call', params: { method: 'registry.subscribe', params: { events: ['ServiceDeregistered'], batch: true } } });
      const [ack] = await ws.take(2);
      suite.socket.send({ jsonrpc: '2.0', id: 3, method: 'registry.delete', params: { name: 'dialect-0' } });
      await suite.socket.next();
      const frames = await ws.take(2);
      const rpc = frames.find((f) => f.method === 'registry.event')?.params as Obj;
      assert.equal(rpc.subscription, direct.subscription);
      const [rpcEvent] = rpc.results as Obj[];
      assert.equal(rpcEvent?.event, 'ServiceDeregistered');
      assert.equal(typeof rpcEvent?.revision, 'number');
      const hub = frames.find((f) => f.method === 'registry-hub.call')?.params as Obj;
      assert.equal(hub.subscription, ack?.result);
      const content = (hub.result as Obj).content as Obj;
      assert.equal(content.type, 'events');
      const [hubEvent] = content.events as Obj[];
      assert.equal(hubEvent?.event, 'ServiceDeregistered');
      assert.equal(hubEvent?.revision, rpcEvent?.revision);
    } finally {
      await ws.close();
    }
  });

  it('rejects a batch that is not a boolean, naming the field', async () => {
    const ws = await openRawSocket(suite.srv.url, suite.srv.caPem);
    try {
      ws.send({ id: 'x', type: 'request', action: 'subscribe', params: { batch: 'yes' } });
      const error = (await ws.next()).error as Obj;
      assert.equal(error.code, 'invalid_params');
      assert.match(String(error.message), /batch/);
    } finally {
      await ws.close();
    }
  });
});

describe('RegistryClient.subscribe with batch', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv?.close());

  it('yields each event of a batch once, in order', async () => {
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    const stream = client.subscribe({ events: ['ServiceRegistered'], services: ['client-*'], batch: true, sinceRevision: 1 });
    try {
      for (let i = 0; i < 30; i++) await client.register({ name: `client-${i}`, host: '10.3.0.1', port: 7000 + i });
      const names: string[] = [];
      for await (const event of stream) {
        const data = event.data as Obj;
        names.push(String((data.service as Obj).name));
        if (names.length === 30) break;
      }
      assert.deepEqual(names, Array.from({ length: 30 }, (_, i) => `client-${i}`));
    } finally {
      await stream.close();
      await client.close();
    }
  });
});
