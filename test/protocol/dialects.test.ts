import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCodes, type ErrorCode, RegistryError } from '../../src/domain/index.js';
import { type Call, dialects, FrameError, jsonRpcCodes, parseFrame } from '../../src/protocol/index.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

function decodeText(text: string): Call {
  const parsed = parseFrame(text);
  assert.ok(parsed.ok, 'frame parses');
  const decoded = parsed.dialect.decode(parsed.message, NOW);
  assert.equal(decoded.kind, 'call');
  assert.ok(decoded.kind === 'call');
  return decoded.call;
}

describe('dialects', () => {
  it('decodes the same register call in all three dialects to one operation and input', () => {
    const params = { name: 'hub2', host: '10.0.0.5', port: 4444 };
    const envelope = decodeText(JSON.stringify({ id: 'r1', type: 'request', action: 'register', params }));
    const direct = decodeText(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'registry.register', params }));
    const hub = decodeText(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'registry-hub.call', params: { method: 'registry.register', params } }),
    );
    for (const call of [envelope, direct, hub]) {
      assert.equal(call.op, 'register');
      assert.deepEqual(call.input, params);
    }
    assert.deepEqual([envelope.dialect, direct.dialect, hub.dialect], ['envelope', 'jsonrpc', 'hub']);
  });

  it('applies the Plexus default active_only=true to registry.list, also when it is null', () => {
    const absent = decodeText(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'registry.list' }));
    const nulled = decodeText(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'registry.list', params: { active_only: null } }));
    const off = decodeText(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'registry.list', params: { active_only: false } }));
    assert.deepEqual(absent.input, { active_only: true });
    assert.deepEqual(nulled.input, { active_only: true });
    assert.deepEqual(off.input, { active_only: false });
  });

  it('maps every error code to a JSON-RPC number, and the standard ones to the standard numbers', () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) assert.equal(typeof jsonRpcCodes[code], 'number');
    assert.equal(jsonRpcCodes.parse_error, -32700);
    assert.equal(jsonRpcCodes.invalid_frame, -32600);
    assert.equal(jsonRpcCodes.unknown_operation, -32601);
    assert.equal(jsonRpcCodes.invalid_params, -32602);
    assert.equal(jsonRpcCodes.internal, -32603);
  });

  it('encodes every error code in the shape each dialect documents', () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const error = new RegistryError(code, `text for ${code}`);
      const env = dialects.envelope.encodeFrameError('r9', error);
      assert.deepEqual(env, { id: 'r9', type: 'response', error: { code, message: `text for ${code}` } });
      const rpc = dialects.jsonrpc.encodeFrameError(7, error);
      assert.deepEqual(rpc, { jsonrpc: '2.0', id: 7, error: { code: jsonRpcCodes[code], message: `text for ${code}`, data: { code } } });
      const call: Call = { dialect: 'hub', id: 3, method: 'registry.update', op: 'update', input: {}, silent: false };
      const frames = dialects.hub.encode(call, { ok: false, error }, NOW);
      assert.equal(frames.length, 3, 'subscription id, one item, done');
      assert.equal(typeof frames[0]?.result, 'string');
      const item = (frames[1]?.params as { result: Record<string, unknown> }).result;
      const content = item.content as Record<string, unknown> | undefined;
      assert.ok(item.type === 'error' || content?.type === 'error', `code ${code} is an error item or error content`);
      assert.equal((frames[2]?.params as { result: { type: string } }).result.type, 'done');
    }
  });

  it('answers a bad envelope with a FrameError that keeps the request id', () => {
    const parsed = parseFrame(JSON.stringify({ id: 'x1', type: 'request', params: {} }));
    assert.ok(parsed.ok);
    assert.throws(() => parsed.dialect.decode(parsed.message, NOW), (e: unknown) => e instanceof FrameError && e.id === 'x1' && e.error.code === 'invalid_frame');
  });

  it('reports bad JSON as parse_error with no dialect, for the connection to answer in its last one', () => {
    const parsed = parseFrame('{"jsonrpc":');
    assert.equal(parsed.ok, false);
    assert.ok(!parsed.ok);
    assert.equal(parsed.dialect, undefined);
    assert.equal(parsed.error.error.code, 'parse_error');
    assert.equal(parsed.error.id, null);
  });

  it('answers _info through the hub without running an operation', () => {
    const parsed = parseFrame(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'registry-hub.call', params: { method: '_info' } }));
    assert.ok(parsed.ok);
    const decoded = parsed.dialect.decode(parsed.message, NOW);
    assert.equal(decoded.kind, 'reply');
    assert.ok(decoded.kind === 'reply');
    const data = (decoded.frames[1]?.params as { result: Record<string, unknown> }).result;
    assert.deepEqual(data.content, { backend: 'registry-hub' });
    assert.equal((decoded.frames[2]?.params as { result: { type: string } }).result.type, 'done');
  });

  it('puts a shared event body inside one JSON object of each dialect, carrying the subscription id', () => {
    const body = '"event":"ServiceRegistered","revision":7,"index":0,"timestamp":1,"data":{"service":{"name":"a"}}';
    const where = { envelope: [], jsonrpc: ['params', 'result'], hub: ['params', 'result', 'content'] } as const;
    for (const dialect of Object.values(dialects)) {
      const { head, tail } = dialect.eventEnvelope('sub-1', NOW);
      const frame: unknown = JSON.parse(`${head}${body}${tail}`);
      const event = where[dialect.name].reduce((at, key) => (at as Record<string, unknown>)[key], frame) as Record<string, unknown>;
      assert.deepEqual([event.event, event.revision], ['ServiceRegistered', 7], dialect.name);
      assert.match(`${head}${tail}`, /"subscription":"sub-1"/, dialect.name);
    }
  });
});
