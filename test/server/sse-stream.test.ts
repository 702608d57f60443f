/**
 * GET /v1/events as Server-Sent Events against a real server: live events, the revision as the
 * id of a revision's last event, resuming with Last-Event-ID exactly once, the rules of subscribe
 * (filters, compaction), a revoked token ending the stream, and a reader that stops reading cut off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { issueClientCertificate } from '../../src/server/index.js';
import { fetchHttps, openSse, type SseMessage } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, openSocket, type TestSocket } from '../security/support.js';

type Obj = Record<string, unknown>;
const NETWORKS = '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.100.0.0/24"\n';
const dataOf = (message: SseMessage): Obj => JSON.parse(message.data) as Obj;

/** Reads events until one of `type` (skipping keepalives is the reader's job already). */
async function nextOf(reader: { next(timeoutMs?: number): Promise<SseMessage> }, event: string): Promise<SseMessage> {
  for (;;) {
    const message = await reader.next();
    if (message.event === event) return message;
  }
}

describe('GET /v1/events', () => {
  let srv: TestServer;
  let client: RegistryClient;

  before(async () => {
    srv = await startTestServer({ configText: NETWORKS });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
  });

  it('opens with the subscribe answer, then streams live events in the shared event shape', async () => {
    const reader = await openSse(srv, '/v1/events?events=ServiceRegistered&services=live-*');
    try {
      assert.equal(reader.status, 200);
      assert.equal(reader.headers['content-type'], 'text/event-stream; charset=utf-8');
      const opened = await reader.next();
      assert.equal(opened.event, 'subscribed');
      const { revision } = dataOf(opened);
      await client.register({ name: 'other', host: '10.0.0.1', port: 1 });
      await client.register({ name: 'live-1', host: '10.0.0.2', port: 2 });
      const event = await reader.next();
      assert.equal(event.event, 'ServiceRegistered');
      const body = dataOf(event);
      assert.equal(body.event, 'ServiceRegistered');
      assert.equal((body.data as { service: Obj }).service.name, 'live-1');
      assert.equal(body.revision, Number(revision) + 2);
      assert.equal(event.id, String(body.revision));
    } finally {
      reader.close();
    }
  });

  it('puts the revision as id on the last event of a revision only, so a stream cut inside one resumes at its start', async () => {
    await client.call('register_service', { name: 'pair', host: '10.0.0.3', port: 3 });
    await client.allocateIp({ network: 'wg0', owner: 'pair' });
    const reader = await openSse(srv, '/v1/events?services=pair');
    try {
      await nextOf(reader, 'subscribed');
      // Deregistering gives the address back: ServiceDeregistered and IpReleased at one revision.
      await client.deregister({ name: 'pair' });
      const first = await reader.next();
      const second = await reader.next();
      assert.deepEqual([first.event, second.event], ['ServiceDeregistered', 'IpReleased']);
      assert.equal(dataOf(first).revision, dataOf(second).revision);
      assert.equal(first.id, undefined);
      assert.equal(second.id, String(dataOf(second).revision));
    } finally {
      reader.close();
    }
  });

  it('resumes after Last-Event-ID with every later event once, in order, then live ones', async () => {
    const start = (await client.status()).revision;
    for (const name of ['r1', 'r2', 'r3']) await client.register({ name, host: '10.0.0.9', port: 9 });
    const reader = await openSse(srv, '/v1/events?services=r*', { 'last-event-id': String(start + 1) });
    try {
      await nextOf(reader, 'subscribed');
      const replayed = [await reader.next(), await reader.next()];
      assert.deepEqual(replayed.map((m) => (dataOf(m).data as { service: Obj }).service.name), ['r2', 'r3']);
      assert.deepEqual(replayed.map((m) => m.id), [String(start + 2), String(start + 3)]);
      await client.register({ name: 'r4', host: '10.0.0.9', port: 9 });
      const live = await reader.next();
      assert.equal((dataOf(live).data as { service: Obj }).service.name, 'r4');
      await assert.rejects(reader.next(300), /no event/);
    } finally {
      reader.close();
    }
  });

  it('refuses a Last-Event-ID that is not a revision, and one given with since_revision, naming the field', async () => {
    const bad = await openSse(srv, '/v1/events', { 'last-event-id': 'yesterday' });
    assert.equal(bad.status, 400);
    assert.match(await bad.errorBody, /Last-Event-ID: must be a revision/);
    const both = await fetchHttps(srv, '/v1/events?since_revision=1', { headers: { 'last-event-id': '1' } });
    assert.equal(both.status, 400);
    assert.match(both.body, /since_revision: give it or Last-Event-ID, not both/);
    const unknown = await fetchHttps(srv, '/v1/events?events=Nope');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body, /events\.0/);
  });
});

describe('GET /v1/events and compaction', () => {
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer({ configText: '[storage]\nevent_retention = 5\n' });
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    for (let i = 0; i < 20; i++) await client.register({ name: `c${i}`, host: '10.0.0.1', port: 1 });
    await client.close();
  });
  after(() => srv?.close());

  it('answers 410 resync_required with where to restart when Last-Event-ID was compacted away', async () => {
    const reader = await openSse(srv, '/v1/events', { 'last-event-id': '1' });
    assert.equal(reader.status, 410);
    const error = (JSON.parse(await reader.errorBody) as { error: Obj }).error;
    assert.equal(error.code, 'resync_required');
    assert.equal(typeof (error.details as Obj).compactRevision, 'number');
  });
});

describe('GET /v1/events and credentials', () => {
  let srv: TestServer;
  let admin: TestSocket;

  before(async () => {
    // Loopback holds nothing: the token is all the stream has.
    srv = await startTestServer({ configText: '[auth]\nloopback_role = "none"\n' });
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'ops', role: 'admin' });
    admin = await openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });
  });
  after(async () => {
    await admin?.close();
    await srv?.close();
  });

  it('ends the stream with a final unauthorized message when its token is revoked, and sends nothing after', async () => {
    const token = String(((await admin.call(envelope('t1', 'token_create', { name: 'sse', role: 'read' }))).result as Obj).token);
    const reader = await openSse(srv, '/v1/events', { authorization: `Bearer ${token}` });
    try {
      assert.equal(reader.status, 200);
      await nextOf(reader, 'subscribed');
      await admin.call(envelope('t2', 'register', { name: 'seen', host: '10.0.0.1', port: 1 }));
      assert.equal((await reader.next()).event, 'ServiceRegistered');
      await admin.call(envelope('t3', 'token_revoke', { name: 'sse' }));
      const last = await reader.next();
      assert.equal(last.event, 'stream_error');
      assert.equal(((JSON.parse(last.data) as { error: Obj }).error).code, 'unauthorized');
      await reader.ended;
      await admin.call(envelope('t4', 'register', { name: 'unseen', host: '10.0.0.1', port: 1 }));
      await assert.rejects(reader.next(300), /no event/);
    } finally {
      reader.close();
    }
  });

  it('answers 401 to a stream without credentials', async () => {
    const reader = await openSse(srv, '/v1/events');
    assert.equal(reader.status, 401);
    assert.match(await reader.errorBody, /"code":"unauthorized"/);
  });
});

describe('GET /v1/events and a reader that stops reading', () => {
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer({ streamLimits: { maxBufferedBytes: 64 * 1024 } });
  });
  after(() => srv?.close());

  it('cuts the stream with slow_consumer instead of holding what the reader leaves unread, after the events it did send', async () => {
    const reader = await openSse(srv, '/v1/events?events=ServiceRegistered,ServiceUpdated');
    await nextOf(reader, 'subscribed');
    reader.response.pause();
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      // 32 KiB of metadata each: a few hundred events fill the socket buffers and then the limit.
      const metadata = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
      // One at a time: this client reads its answers (32 KiB each) and stays under the same limit.
      for (let i = 0; i < 600; i++) await client.call('register_service', { name: `big-${i % 50}`, host: '10.0.0.1', port: 1, metadata: { ...metadata, round: String(i) } });
    } finally {
      await client.close();
    }
    reader.response.resume();
    const seen: SseMessage[] = [];
    for (;;) {
      const message = await reader.next(10_000);
      seen.push(message);
      if (message.event === 'stream_error') break;
    }
    const error = (JSON.parse(seen.at(-1)?.data ?? '{}') as { error: Obj }).error;
    assert.equal(error.code, 'slow_consumer');
    await reader.ended;
    const revisions = seen.slice(0, -1).map((m) => Number(dataOf(m).revision));
    assert.ok(revisions.length < 600, 'the stream was cut before it carried every event');
    revisions.forEach((revision, i) => i > 0 && assert.equal(revision, (revisions[i - 1] ?? 0) + 1, 'no event is skipped before the cut'));
  });
});
