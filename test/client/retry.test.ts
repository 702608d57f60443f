/**
 * RegistryClient sends a call again when that is safe (src/client/retry.ts): a read, or a write
 * with its request id, whose answer was lost with the connection or that was answered
 * `unavailable`; never any other call.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConnectionClosedError, RegistryClient } from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';
import type { WebSocket } from 'ws';
import { answer, answerError, type ScriptedServer, type SeenRequest, startScriptedServer } from '../helpers/scripted-server.js';

const PING = { name: 'hub2', success: true, message: 'ok' };
const requestIdOf = (request: SeenRequest): unknown => (request.params as Record<string, unknown>).request_id;

describe('RegistryClient retries', () => {
  let server: ScriptedServer | undefined;
  let client: RegistryClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  /** A server that runs `script` with the number of the request (1, 2, …) it answers. */
  async function scripted(script: (n: number, request: SeenRequest, socket: WebSocket) => void): Promise<ScriptedServer> {
    let n = 0;
    server = await startScriptedServer({ onRequest: (request, socket) => script(++n, request, socket) });
    return server;
  }

  it('sends a write again on a new connection, with the same request id, when the first was lost before its answer', async () => {
    const seen: SeenRequest[] = [];
    const srv = await scripted((n, request, socket) => {
      seen.push(request);
      if (n === 1) socket.terminate();
      else answer(socket, request.id, PING);
    });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    assert.deepEqual(await client.ping({ name: 'hub2' }), PING);
    assert.equal(seen.length, 2);
    assert.equal(typeof requestIdOf(seen[0] as SeenRequest), 'string');
    assert.equal(requestIdOf(seen[0] as SeenRequest), requestIdOf(seen[1] as SeenRequest));
    assert.equal(srv.upgrades.length, 2, 'the retry went over a new connection');
  });

  it('keeps the request id the caller gave', async () => {
    const seen: SeenRequest[] = [];
    const srv = await scripted((n, request, socket) => {
      seen.push(request);
      if (n === 1) answerError(socket, request.id, { code: 'unavailable', message: 'the database is restarting' });
      else answer(socket, request.id, PING);
    });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await client.ping({ name: 'hub2', request_id: 'mine-1' });
    assert.deepEqual(seen.map(requestIdOf), ['mine-1', 'mine-1']);
    assert.equal(srv.upgrades.length, 1, 'an unavailable answer is retried on the same connection');
  });

  it('sends a write answered unavailable again, and gives up after `retries` more attempts', async () => {
    const srv = await scripted((_n, request, socket) => answerError(socket, request.id, { code: 'unavailable', message: 'down' }));
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem, retries: 2 });
    await assert.rejects(client.ping({ name: 'hub2' }), (error: unknown) => error instanceof RegistryError && error.code === 'unavailable');
    assert.equal(srv.frames.length, 3);
  });

  it("answers a read's unavailable at once (an unhealthy service is an answer), and sends a read again after a lost connection", async () => {
    const srv = await scripted((n, request, socket) => {
      if (request.action === 'resolve') answerError(socket, request.id, { code: 'unavailable', message: "service 'web' is unhealthy" });
      else if (n === 2) socket.terminate();
      else answer(socket, request.id, []);
    });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await assert.rejects(client.resolve({ service: 'web' }), (error: unknown) => error instanceof RegistryError && error.code === 'unavailable');
    assert.equal(srv.frames.length, 1);
    assert.deepEqual(await client.listServices(), []);
    assert.equal(srv.frames.length, 3, 'the list, lost with its connection, and the list again');
  });

  it('never sends again a call that is not safe to repeat, and then the client is done', async () => {
    const srv = await scripted((_n, _request, socket) => socket.terminate());
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await assert.rejects(client.call('token_create', { name: 'ci', role: 'read' }), ConnectionClosedError);
    assert.equal(srv.frames.length, 1);
    assert.ok((await client.closed) instanceof ConnectionClosedError);
    await assert.rejects(client.status(), ConnectionClosedError);
    assert.equal(srv.upgrades.length, 1, 'no new connection for a call made after the client was done');
  });

  it('sends each call once with retries: 0', async () => {
    const srv = await scripted((_n, request, socket) => answerError(socket, request.id, { code: 'unavailable', message: 'down' }));
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem, retries: 0 });
    await assert.rejects(client.ping({ name: 'hub2' }), (error: unknown) => error instanceof RegistryError && error.code === 'unavailable');
    assert.equal(srv.frames.length, 1);
    assert.equal(requestIdOf(srv.frames[0] as SeenRequest), undefined, 'no request id is made when nothing is retried');
  });
});
