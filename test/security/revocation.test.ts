/**
 * A subscription opened under a token must not outlive the token: revoking it ends every stream
 * that relied on it with a final `unauthorized` frame, in each dialect, and no event follows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';
import { issueClientCertificate } from '../../src/server/index.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, startConfiguredServer, type TestSocket } from './support.js';
import { serviceOf } from '../helpers/streamed.js';

describe('revoking a token', () => {
  let srv: TestServer;
  let admin: TestSocket;
  let counter = 0;
  const id = (): string => `a${counter++}`;

  const createToken = async (name: string): Promise<string> => {
    const answer = await admin.call(envelope(id(), 'token_create', { name, role: 'read' }));
    return String((answer.result as Obj).token);
  };
  const register = async (name: string): Promise<void> => {
    assert.equal(envelopeCode(await admin.call(envelope(id(), 'register', { name, host: '10.0.0.1', port: 1 }))), undefined);
  };

  before(async () => {
    // Loopback holds nothing: the token is all the subscribers have.
    srv = await startConfiguredServer('[auth]\nloopback_role = "none"\n');
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'ops', role: 'admin' });
    admin = await openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });
  });
  after(async () => {
    await admin?.close();
    await srv?.close();
  });

  it('ends its streams in every dialect with a final unauthorized frame, and no event follows', async () => {
    const token = await createToken('watcher');
    const headers = { authorization: `Bearer ${token}` };
    const [env, rpc, hub] = await Promise.all([1, 2, 3].map(() => openSocket(srv.url, { ca: srv.caPem, headers })));
    if (env === undefined || rpc === undefined || hub === undefined) throw new Error('three sockets');
    try {
      assert.equal(envelopeCode(await env.call(envelope('s', 'subscribe'))), undefined);
      assert.equal((await rpc.call({ jsonrpc: '2.0', id: 1, method: 'registry.subscribe', params: {} })).id, 1);
      hub.send({ jsonrpc: '2.0', id: 1, method: 'registry-hub.call', params: { method: 'registry.subscribe', params: {} } });
      const hubId = String((await hub.next()).result);
      await hub.next(); // the `subscribed` item
      await register('before-revoke');
      for (const ws of [env, rpc, hub]) await ws.next(); // each sees that event

      assert.equal(envelopeCode(await admin.call(envelope(id(), 'token_revoke', { name: 'watcher' }))), undefined);
      const envEnd = await env.next();
      assert.equal(envEnd.type, 'stream_error');
      assert.equal((envEnd.error as Obj).code, 'unauthorized');
      const rpcEnd = await rpc.next();
      assert.equal(((rpcEnd.params as Obj).error as Obj).code, -32001);
      assert.equal((((rpcEnd.params as Obj).error as Obj).data as Obj).code, 'unauthorized');
      const [hubError, hubDone] = [await hub.next(), await hub.next()];
      assert.equal((hubError.params as Obj).subscription, hubId);
      assert.deepEqual([((hubError.params as Obj).result as Obj).type, ((hubError.params as Obj).result as Obj).code], ['error', '-32001']);
      assert.equal(((hubDone.params as Obj).result as Obj).type, 'done');

      await register('after-revoke');
      // Frames of one connection arrive in order: an event of after-revoke would come before this answer.
      for (const ws of [env, rpc, hub]) {
        ws.send(envelope('check', 'status'));
        const next = await ws.next();
        assert.equal(next.id, 'check', `an event arrived after the revocation: ${JSON.stringify(next)}`);
        assert.equal(envelopeCode(next), 'unauthorized');
      }
    } finally {
      await Promise.all([env.close(), rpc.close(), hub.close()]);
    }
  });

  it("ends the client library's event stream with RegistryError unauthorized", { timeout: 60_000 }, async () => {
    const token = await createToken('library');
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem, token });
    try {
      const stream = client.subscribe({ events: ['ServiceRegistered'] });
      const seen: string[] = [];
      const consumed = (async () => {
        for await (const event of stream) {
          seen.push(serviceOf(event) ?? '');
          if (seen.length === 1) await admin.call(envelope(id(), 'token_revoke', { name: 'library' }));
        }
      })();
      // Registered until the stream has seen one (the subscription may start after the first register).
      for (let i = 0; seen.length === 0 && i < 100; i++) {
        await register(`lib-${i}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await assert.rejects(consumed, (error: unknown) => error instanceof RegistryError && error.code === 'unauthorized');
    } finally {
      await client.close();
    }
  });
});
