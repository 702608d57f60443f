import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverWithSocket } from '../helpers/event-requests.js';

type Obj = Record<string, unknown>;
const resultOf = (frame: Obj | undefined): Obj => (frame?.params as { result: Obj }).result;

describe('wire frames over a raw WebSocket', () => {
  const suite = serverWithSocket();

  it('registers with registry.register (§3b) and answers backend_registered with the backend shape', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 1, method: 'registry.register', params: { name: 'hub2', host: '10.0.0.5', port: 4444 } });
    const answer = await suite.socket.next();
    assert.equal(answer.jsonrpc, '2.0');
    assert.equal(answer.id, 1);
    const result = answer.result as Obj;
    assert.equal(result.type, 'backend_registered');
    const backend = result.backend as Obj;
    assert.match(String(backend.id), /^[0-9a-f-]{36}$/);
    assert.equal(backend.name, 'hub2');
    assert.equal(backend.host, '10.0.0.5');
    assert.equal(backend.port, 4444);
    assert.equal(backend.protocol, 'ws');
    assert.equal(backend.source, 'manual');
    assert.equal(backend.is_active, true);
    for (const key of ['registered_at', 'last_seen', 'created_at', 'updated_at']) {
      assert.equal(typeof backend[key], 'number', key);
      assert.ok(Math.abs(Number(backend[key]) - Date.now() / 1000) < 60, `${key} is in Unix seconds`);
    }
    assert.equal('description' in backend, false, 'absent optional fields are omitted');
  });

  it('answers backend_updated when the name is registered again (an idempotent upsert)', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 2, method: 'registry.register', params: { name: 'hub2', host: '10.0.0.6', port: 4444, description: null } });
    const result = (await suite.socket.next()).result as Obj;
    assert.equal(result.type, 'backend_updated');
    assert.equal((result.backend as Obj).host, '10.0.0.6');
  });

  it('streams a hub call (§3c) as subscription id, then data, then done', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 3, method: 'registry-hub.call', params: { method: 'registry.list', params: { active_only: true } } });
    const [ack, data, done] = await suite.socket.take(3);
    assert.equal(ack?.id, 3);
    assert.equal(typeof ack?.result, 'string');
    for (const frame of [data, done]) {
      assert.equal(frame?.method, 'registry-hub.call');
      assert.equal((frame?.params as Obj).subscription, ack?.result);
    }
    const item = resultOf(data);
    assert.equal(item.type, 'data');
    assert.equal(item.content_type, 'registry.list');
    const meta = item.metadata as Obj;
    assert.deepEqual(meta.provenance, ['registry-hub', 'registry']);
    assert.equal(typeof meta.plexus_hash, 'string');
    assert.equal(typeof meta.timestamp, 'number');
    const content = item.content as Obj;
    assert.equal(content.type, 'backends');
    const names = (content.backends as Obj[]).map((b) => b.name);
    assert.ok(names.includes('hub2'));
    assert.ok(names.includes('plexus'), 'the auto-registered local Plexus backend is listed');
    assert.equal(resultOf(done).type, 'done');
  });

  it('answers backend: null for get of an unknown name, in both Plexus dialects', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 4, method: 'registry-hub.call', params: { method: 'registry.get', params: { name: 'nope' } } });
    const [, data, done] = await suite.socket.take(3);
    assert.deepEqual(resultOf(data).content, { type: 'backend', backend: null });
    assert.equal(resultOf(done).type, 'done');
    suite.socket.send({ jsonrpc: '2.0', id: 5, method: 'registry.get', params: { name: 'nope' } });
    assert.deepEqual((await suite.socket.next()).result, { type: 'backend', backend: null });
  });

  it('answers success:false for ping of an unknown name and success:true for a known one', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 6, method: 'registry-hub.call', params: { method: 'registry.ping', params: { name: 'ghost' } } });
    const [, data] = await suite.socket.take(3);
    const content = resultOf(data).content as Obj;
    assert.equal(content.type, 'ping');
    assert.equal(content.name, 'ghost');
    assert.equal(content.success, false);
    suite.socket.send({ jsonrpc: '2.0', id: 7, method: 'registry.ping', params: { name: 'hub2' } });
    assert.equal(((await suite.socket.next()).result as Obj).success, true);
  });

  it('answers -32602 naming every bad field', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 8, method: 'registry.register', params: { host: '', port: 70000, colour: 'blue' } });
    const answer = await suite.socket.next();
    const error = answer.error as Obj;
    assert.equal(answer.id, 8);
    assert.equal(error.code, -32602);
    const message = String(error.message);
    for (const field of ['name', 'host', 'port', 'colour']) assert.match(message, new RegExp(field), `message names ${field}: ${message}`);
  });

  it('streams an Invalid params error item with code -32602 before done in a hub call', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 9, method: 'registry-hub.call', params: { method: 'registry.register', params: { name: 'x', port: 'high' } } });
    const [, item, done] = await suite.socket.take(3);
    const error = resultOf(item);
    assert.equal(error.type, 'error');
    assert.equal(error.code, '-32602');
    assert.equal(error.recoverable, false);
    assert.match(String(error.message), /^Invalid params: .*host.*port|^Invalid params: .*port.*host/);
    assert.equal(resultOf(done).type, 'done');
  });

  it('answers -32601 for an unknown method', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 10, method: 'registry.teleport', params: {} });
    const error = (await suite.socket.next()).error as Obj;
    assert.equal(error.code, -32601);
    assert.match(String(error.message), /registry\.teleport/);
  });

  it('answers _info through the hub with the hub name', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 11, method: 'registry-hub.call', params: { method: '_info' } });
    const [ack, data, done] = await suite.socket.take(3);
    assert.equal(typeof ack?.result, 'string');
    assert.deepEqual(resultOf(data).content, { backend: 'registry-hub' });
    assert.equal(resultOf(done).type, 'done');
  });

  it('answers the §3a envelope list_services and get_service with result', async () => {
    suite.socket.send({ id: 'r1', type: 'request', action: 'list_services', params: {} });
    const list = await suite.socket.next();
    assert.equal(list.id, 'r1');
    assert.equal(list.type, 'response');
    assert.ok(Array.isArray(list.result));
    assert.ok((list.result as Obj[]).some((s) => s.name === 'hub2'));
    suite.socket.send({ id: 'r2', type: 'request', action: 'get_service', params: { name: 'hub2' } });
    const got = await suite.socket.next();
    assert.equal(got.id, 'r2');
    const service = got.result as Obj;
    assert.equal(service.name, 'hub2');
    assert.equal(service.state, 'registered');
    assert.deepEqual(service.endpoints, []);
    suite.socket.send({ id: 'r3', type: 'request', action: 'get_service', params: { name: 'x' } });
    const missing = await suite.socket.next();
    assert.deepEqual(missing, { id: 'r3', type: 'response', error: { code: 'not_found', message: "service 'x' not found", details: { name: 'x' } } });
  });

  it('deletes with registry.delete and deregisters with registry.deregister', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 12, method: 'registry.register', params: { name: 'tmp1', host: 'h', port: 1 } });
    suite.socket.send({ jsonrpc: '2.0', id: 13, method: 'registry.register', params: { name: 'tmp2', host: 'h', port: 2 } });
    await suite.socket.take(2);
    suite.socket.send({ jsonrpc: '2.0', id: 14, method: 'registry.delete', params: { name: 'tmp1' } });
    assert.deepEqual((await suite.socket.next()).result, { type: 'backend_deleted', name: 'tmp1' });
    suite.socket.send({ jsonrpc: '2.0', id: 15, method: 'registry-hub.call', params: { method: 'registry.deregister', params: { name: 'tmp2' } } });
    const [, data] = await suite.socket.take(3);
    assert.deepEqual(resultOf(data).content, { type: 'backend_deregistered', name: 'tmp2' });
  });

  it('answers an update with absent and null fields left as they are', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 16, method: 'registry.update', params: { name: 'hub2', port: 5555, host: null } });
    const result = (await suite.socket.next()).result as Obj;
    assert.equal(result.type, 'backend_updated');
    assert.equal((result.backend as Obj).port, 5555);
    assert.equal((result.backend as Obj).host, '10.0.0.6');
  });

  it('answers reload with reloaded {count}', async () => {
    suite.socket.send({ jsonrpc: '2.0', id: 17, method: 'registry.reload' });
    assert.deepEqual((await suite.socket.next()).result, { type: 'reloaded', count: 0 });
  });

  it('reaches every other operation as registry.<operation> in both JSON-RPC dialects', async () => {
    const params = { name: 'entry1', addresses: { lan: '10.4.0.2' }, endpoints: [{ name: 'http', port: 8080 }] };
    suite.socket.send({ jsonrpc: '2.0', id: 18, method: 'registry.register_service', params });
    const direct = (await suite.socket.next()).result as Obj;
    assert.equal(direct.type, 'register_service');
    assert.equal(((direct.result as Obj).service as Obj).name, 'entry1');
    suite.socket.send({ jsonrpc: '2.0', id: 19, method: 'registry-hub.call', params: { method: 'registry.service_action', params: { name: 'entry1', action: 'start' } } });
    const [, data, done] = await suite.socket.take(3);
    const content = resultOf(data).content as Obj;
    assert.equal(content.type, 'service_action');
    assert.equal((content.result as Obj).state, 'starting');
    assert.equal(resultOf(done).type, 'done');
  });
});
