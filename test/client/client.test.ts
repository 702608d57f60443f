import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConnectionClosedError,
  ConnectionFailedError,
  InvalidArgumentError,
  normaliseFingerprint,
  RegistryClient,
  RequestTimeoutError,
} from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';
import { answer, answerError, type ScriptedServer, type SeenRequest, startScriptedServer, wireService } from '../helpers/scripted-server.js';

const WIRE_SERVICE = wireService();

describe('RegistryClient', () => {
  let server: ScriptedServer;
  const held: SeenRequest[] = [];

  before(async () => {
    server = await startScriptedServer({
      onRequest(request, socket) {
        switch (request.action) {
          case 'get_service':
            answer(socket, request.id, WIRE_SERVICE);
            return;
          case 'deregister':
            answerError(socket, request.id, { code: 'not_found', message: "service 'x' not found", details: { name: 'x' } });
            return;
          case 'status':
            answerError(socket, request.id, { code: 'brand_new_code', message: 'from a newer server' });
            return;
          case 'ping':
            held.push(request); // answered later, in reverse order
            if (held.length === 2) {
              for (const r of [...held].reverse()) answer(socket, r.id, { ...(r.params as object), success: true, message: 'ok' });
              held.length = 0;
            }
            return;
          case 'list_services':
            answer(socket, request.id, []);
            return;
          case 'list_allocations':
            answer(socket, request.id, [{ network: 'wg0', owner: 'laptop', address: 167_772_162, allocated_at: 1_732_233_600 }]);
            return;
          default:
            return; // never answered
        }
      },
    });
  });
  after(() => server.close());

  const connect = (options = {}) => RegistryClient.connect(server.url, { ca: server.caPem, ...options });

  it('matches answers to requests by id when they arrive out of order', async () => {
    const client = await connect();
    try {
      const [a, b] = await Promise.all([client.ping({ name: 'alpha' }), client.ping({ name: 'beta' })]);
      assert.deepEqual([a.name, b.name], ['alpha', 'beta']);
    } finally {
      await client.close();
    }
  });

  it('sends the action envelope with the operation name and params', async () => {
    const client = await connect();
    try {
      await client.call('list_services', { active_only: true });
      const frame = server.frames.at(-1);
      assert.deepEqual(frame, { id: 'r1', type: 'request', action: 'list_services', params: { active_only: true } });
    } finally {
      await client.close();
    }
  });

  it('returns a service exactly as the wire carries it: snake_case, Unix seconds, is_active', async () => {
    const client = await connect();
    try {
      const service = await client.getService({ name: 'hub2' });
      assert.equal(JSON.stringify(service), JSON.stringify(WIRE_SERVICE));
      assert.equal(service.last_seen, 1_732_233_660);
      assert.equal(service.is_active, true);
    } finally {
      await client.close();
    }
  });

  it('rejects an answer that does not have its operation\'s shape as internal, naming the field', async () => {
    const client = await connect();
    try {
      await assert.rejects(client.listAllocations(), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.code, 'internal');
        assert.match(error.message, /'list_allocations'.*0\.address/);
        assert.deepEqual(error.details, { operation: 'list_allocations' });
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('rejects a server error as RegistryError with the same code, message and details', async () => {
    const client = await connect();
    try {
      await assert.rejects(client.deregister({ name: 'x' }), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.code, 'not_found');
        assert.equal(error.message, "service 'x' not found");
        assert.deepEqual(error.details, { name: 'x' });
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('turns an unknown server code into internal and keeps the original in details', async () => {
    const client = await connect();
    try {
      await assert.rejects(client.status(), { name: 'RegistryError', code: 'internal', details: { wireCode: 'brand_new_code' } });
    } finally {
      await client.close();
    }
  });

  it('rejects with RequestTimeoutError when no answer comes in time', async () => {
    const client = await connect({ timeoutMs: 50 });
    try {
      await assert.rejects(client.reload(), (error: unknown) => {
        assert.ok(error instanceof RequestTimeoutError);
        assert.equal(error.operation, 'reload');
        assert.match(error.message, /'reload' within 50 ms/);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('rejects pending requests with ConnectionClosedError when the server closes', async () => {
    const accepted = server.nextConnection();
    const client = await connect();
    const socket = await accepted;
    const pending = client.reload();
    socket.close(1001, 'going away');
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.match(error.message, /1001: going away/);
      return true;
    });
    const reason = await client.closed;
    assert.ok(reason instanceof ConnectionClosedError);
    await assert.rejects(client.status(), ConnectionClosedError);
    await client.close();
  });

  it('closes idempotently: a second close waits for the first and pending requests reject', async () => {
    const client = await connect();
    const rejected = assert.rejects(client.reload(), ConnectionClosedError);
    const first = client.close();
    const second = client.close();
    assert.equal(first, second);
    await Promise.all([first, second, rejected]);
    assert.equal(await client.closed, undefined);
    await client[Symbol.asyncDispose]();
  });

  it('connects with a matching pinned fingerprint and no CA', async () => {
    const client = await RegistryClient.connect(server.url, { fingerprint: server.fingerprint.toLowerCase() });
    try {
      assert.equal((await client.getService({ name: 'hub2' })).name, 'hub2');
    } finally {
      await client.close();
    }
  });

  it('refuses a certificate that does not match the pinned fingerprint, naming both', async () => {
    const wrong = Array.from({ length: 32 }, () => 'AB').join(':');
    const upgrades = server.upgrades.length;
    await assert.rejects(RegistryClient.connect(server.url, { fingerprint: wrong, token: 'secret' }), (error: unknown) => {
      assert.ok(error instanceof ConnectionFailedError);
      assert.ok(error.message.includes(wrong), error.message);
      assert.ok(error.message.includes(server.fingerprint), error.message);
      return true;
    });
    assert.equal(server.upgrades.length, upgrades, 'the upgrade request (and its token) is never sent');
  });

  it('refuses a server whose CA it does not trust', async () => {
    await assert.rejects(RegistryClient.connect(server.url), (error: unknown) => {
      assert.ok(error instanceof ConnectionFailedError);
      assert.match(error.message, /TLS verification of wss:\/\/127\.0\.0\.1:\d+ failed/);
      return true;
    });
  });

  it('sends the token as a bearer Authorization header', async () => {
    const client = await connect({ token: 's3cret' });
    await client.close();
    assert.equal(server.upgrades.at(-1)?.headers.authorization, 'Bearer s3cret');
  });

  it('rejects a connection refused outright with ConnectionFailedError', async () => {
    const closed = await startScriptedServer();
    const url = closed.url;
    await closed.close();
    await assert.rejects(RegistryClient.connect(url, { ca: server.caPem }), { name: 'ConnectionFailedError', message: /cannot connect/ });
  });

  it('rejects ca and caFile together before connecting', async () => {
    await assert.rejects(connect({ caFile: '/nonexistent/ca.pem' }), InvalidArgumentError);
  });
});

describe('RegistryClient upgrade refusal', () => {
  it('maps HTTP 401 to RegistryError unauthorized with the body in the message', async () => {
    const server = await startScriptedServer({ refuse: { status: 401, body: 'bad token' } });
    try {
      await assert.rejects(RegistryClient.connect(server.url, { ca: server.caPem, token: 'nope' }), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.code, 'unauthorized');
        assert.match(error.message, /HTTP 401 bad token/);
        return true;
      });
    } finally {
      await server.close();
    }
  });
});

describe('normaliseFingerprint', () => {
  it('accepts lowercase hex with or without colons and gives openssl form', () => {
    const hex = 'ab'.repeat(32);
    const expected = Array.from({ length: 32 }, () => 'AB').join(':');
    assert.equal(normaliseFingerprint(hex), expected);
    assert.equal(normaliseFingerprint(expected.toLowerCase()), expected);
  });

  it('refuses text that is not 32 bytes of hex', () => {
    assert.throws(() => normaliseFingerprint('AB:CD'), InvalidArgumentError);
    assert.throws(() => normaliseFingerprint('zz'.repeat(32)), InvalidArgumentError);
  });
});
