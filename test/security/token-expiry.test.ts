/**
 * Tokens with a lifetime (`token_create {ttl}`, what `registry ui` mints): the role ends when the
 * time does, on open connections too; the sweeper removes the token, which ends its streams; the
 * expiry survives a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/index.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openCertifiedSocket, openSocket, refusalOf, startConfiguredServer, type TestSocket } from './support.js';

/** Loopback gets no role here, so a local test connection stands for a remote caller. */
const LOOPBACK_LIKE_REMOTE = '[auth]\nloopback_role = "none"\n';
const T0 = Date.UTC(2026, 4, 1, 8, 0, 0);

describe('token_create with a ttl', () => {
  const clock = new ManualClock(T0);
  let srv: TestServer;
  let admin: TestSocket;
  let seq = 0;
  const id = (): string => `e${++seq}`;
  const create = async (name: string, ttl: number): Promise<Obj> => {
    const answer = await admin.call(envelope(id(), 'token_create', { name, role: 'read', ttl }));
    assert.equal(envelopeCode(answer), undefined, JSON.stringify(answer));
    return answer.result as Obj;
  };
  const listed = async (): Promise<Obj[]> => (await admin.call(envelope(id(), 'token_list'))).result as Obj[];

  before(async () => {
    srv = await startConfiguredServer(LOOPBACK_LIKE_REMOTE, { clock });
    admin = await openCertifiedSocket(srv);
  });
  after(async () => {
    await admin?.close();
    await srv?.close();
  });

  it('answers and lists when the token expires, in Unix seconds', async () => {
    const created = await create('listed', 600);
    assert.equal(created.created_at, T0 / 1000);
    assert.equal(created.expires_at, T0 / 1000 + 600);
    const row = (await listed()).find((t) => t.name === 'listed');
    assert.deepEqual(row, { name: 'listed', role: 'read', created_at: T0 / 1000, expires_at: T0 / 1000 + 600 });
  });

  it('refuses a ttl that is not whole seconds from 1 to 366 days, naming the field', async () => {
    for (const ttl of [0, 1.5, -3, 366 * 86_400 + 1, '1h']) {
      const answer = await admin.call(envelope(id(), 'token_create', { name: 'bad-ttl', role: 'read', ttl }));
      assert.equal(envelopeCode(answer), 'invalid_params', JSON.stringify(ttl));
      assert.match(String((answer.error as Obj).message), /ttl/);
    }
  });

  it('stops granting its role at expiry, on an open connection and on a new one, and the sweeper removes it', async () => {
    const { token } = await create('short', 60);
    const page = await openSocket(srv.url, { ca: srv.caPem, headers: { origin: `https://127.0.0.1:${srv.server.port}` } });
    try {
      assert.deepEqual((await page.call(envelope('a', 'authenticate', { token }))).result, { role: 'read', via: 'token:short' });
      assert.equal(envelopeCode(await page.call(envelope('s', 'subscribe'))), undefined);
      clock.advance(60_000);
      // The sweeper runs every second: the token goes, and the stream it authorised ends.
      const end = await page.next(10_000);
      assert.equal(end.type, 'stream_error', JSON.stringify(end));
      assert.equal((end.error as Obj).code, 'unauthorized');
      assert.equal(envelopeCode(await page.call(envelope('s2', 'status'))), 'unauthorized');
      const again = await page.call(envelope('a2', 'authenticate', { token }));
      assert.equal(envelopeCode(again), 'unauthorized');
      assert.match(String((again.error as Obj).message), /expired/);
      const refused = await refusalOf(srv.url, { ca: srv.caPem, headers: { authorization: `Bearer ${String(token)}` } });
      assert.equal(refused.status, 401);
      assert.equal((await listed()).some((t) => t.name === 'short'), false);
    } finally {
      await page.close();
    }
  });

  it('gives the name of an expired token to a new one', async () => {
    await create('reused', 5);
    clock.advance(5_000);
    // Created before the sweeper came by, or after: the name is free either way.
    const created = await create('reused', 5);
    assert.equal(created.expires_at, clock.now() / 1000 + 5);
  });
});

describe('token expiry across a restart', () => {
  it('keeps expires_at in the store', async () => {
    const first = await startConfiguredServer('', { clock: new ManualClock(T0) });
    let dataDir: string | undefined;
    try {
      const ws = await openSocket(first.url, { ca: first.caPem });
      const created = (await ws.call(envelope('c', 'token_create', { name: 'kept', role: 'read', ttl: 3600 }))).result as Obj;
      await ws.close();
      assert.equal(created.expires_at, T0 / 1000 + 3600);
      dataDir = first.dataDir;
      await first.server.close();
      const second = await startTestServer({ dataDir, clock: new ManualClock(T0 + 1000) });
      try {
        const again = await openSocket(second.url, { ca: second.caPem });
        const tokens = (await again.call(envelope('l', 'token_list'))).result as Obj[];
        await again.close();
        assert.deepEqual(tokens, [{ name: 'kept', role: 'read', created_at: T0 / 1000, expires_at: T0 / 1000 + 3600 }]);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
});
