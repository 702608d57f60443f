/**
 * Frames generated at random in the three dialects (and in none): every frame that asks for an
 * answer gets at least one, every frame the server sends is well formed, and the server process
 * is still serving at the end. 10,000 cases in CI (CI=true or REGISTRY_TEST_STRICT=1).
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { errorCodes } from '../../src/domain/index.js';
import { operations } from '../../src/operations/index.js';
import { type ServerProcess, spawnServerProcess } from '../helpers/server-process.js';
import { type Obj, openSocket, type TestSocket } from './support.js';

const inCi = process.env.CI === 'true' || process.env.REGISTRY_TEST_STRICT === '1';
const RUNS = inCi ? 10_000 : 600;
const ANSWER_MS = 10_000;

/** Operations whose work leaves the store's write queue (file reads, SSH): the ping probe could overtake their answer. */
const OUTSIDE_QUEUE = new Set(['reload', 'deploy_package', 'rollback']);
const opNames = operations.map((op) => op.name).filter((name) => !OUTSIDE_QUEUE.has(name));
const KEYS = ['name', 'host', 'port', 'token', 'network', 'owner', 'ip', 'events', 'services', 'since_revision', 'subscription', 'action', 'state', 'role', 'ttl', 'metadata', '__proto__', 'constructor'];

const json = fc.jsonValue({ maxDepth: 3 });
const params = fc.oneof(json, fc.dictionary(fc.constantFrom(...KEYS), json, { maxKeys: 6 }));
const method = fc.oneof(fc.constantFrom(...opNames), fc.string({ maxLength: 20 }));
const rpcMethod = fc.oneof(method.map((m) => `registry.${m}`), fc.constantFrom('registry.list', 'registry.get', 'registry.register', 'registry.ping'), fc.string({ maxLength: 20 }));
/** An id of any JSON type, or none (`undefined` drops the key). */
const id = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true }), fc.constant(null), fc.boolean(), fc.constant(undefined), json);
const jsonrpcVersion = fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: json });

const envelopeFrame = fc.record({ id, type: fc.oneof(fc.constant('request'), json), action: fc.oneof(method, json), params }, { requiredKeys: ['type'] });
const rpcFrame = fc.record({ jsonrpc: jsonrpcVersion, id, method: fc.oneof(rpcMethod, json), params }, { requiredKeys: ['jsonrpc'] });
const hubFrame = fc.record({
  jsonrpc: jsonrpcVersion,
  id,
  method: fc.constantFrom('registry-hub.call', 'registry-hub.call_unsub'),
  params: fc.oneof(params, fc.record({ method: fc.oneof(rpcMethod, fc.constant('_info'), json), params }, { requiredKeys: [] })),
});

/** Text frames: the three envelopes, any JSON, cut-off JSON, and text that is no JSON at all. */
const frameText = fc.oneof(
  { weight: 4, arbitrary: envelopeFrame.map((f) => JSON.stringify(f)) },
  { weight: 4, arbitrary: rpcFrame.map((f) => JSON.stringify(f)) },
  { weight: 4, arbitrary: hubFrame.map((f) => JSON.stringify(f)) },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(envelopeFrame, rpcFrame, hubFrame), fc.nat()).map(([f, cut]) => JSON.stringify(f).slice(0, cut % 200)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
);

/** JSON-RPC notifications (no id) get no answer (§3b); every other frame does. */
function expectsAnswer(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
    const frame = value as Obj;
    return !('jsonrpc' in frame && frame.jsonrpc === '2.0' && !('id' in frame) && typeof frame.method === 'string' && frame.method !== '');
  } catch {
    return true;
  }
}

const isId = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'number';
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why an outgoing frame is not one of the documented shapes, or undefined when it is. */
function malformed(frame: Obj): string | undefined {
  if (frame.type === 'event') return undefined;
  if (frame.type === 'response') {
    if (!isId(frame.id) || frame.id === null) return 'an envelope response needs a string or number id';
    if ('result' in frame) return undefined;
    const error = frame.error;
    if (!isObj(error) || typeof error.code !== 'string' || !(error.code in errorCodes)) return 'an envelope error needs a known code';
    return typeof error.message === 'string' && error.message !== '' ? undefined : 'an envelope error needs a message';
  }
  if (frame.jsonrpc !== '2.0') return 'not an envelope response and not JSON-RPC 2.0';
  if (frame.method === 'registry-hub.call' || frame.method === 'registry.event') {
    const p = frame.params;
    return isObj(p) && typeof p.subscription === 'string' && isObj(p.result) ? undefined : 'a stream item needs a subscription and a result';
  }
  if (!('id' in frame) || !isId(frame.id)) return 'a JSON-RPC answer needs an id';
  if ('result' in frame) return undefined;
  const error = frame.error;
  if (!isObj(error) || !Number.isInteger(error.code) || typeof error.message !== 'string') return 'a JSON-RPC error needs an integer code and a message';
  return undefined;
}

/** An answer to a request (not a stream item or an event). */
const isAnswer = (frame: Obj): boolean => frame.type === 'response' || ('jsonrpc' in frame && 'id' in frame && !('method' in frame));

describe('fuzzed frames in all three dialects', () => {
  let dataDir: string;
  let proc: ServerProcess | undefined;
  let ws: TestSocket;
  let probes = 0;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-fuzz-'));
    await chmod(dataDir, 0o755);
    proc = await spawnServerProcess(dataDir);
    ws = await openSocket(proc.url, { ca: proc.caPem });
  });
  after(async () => {
    await ws?.close();
    await proc?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  /** Sends the frame, then a probe that queues behind any write it started; answers come before the probe's. */
  async function exchange(text: string): Promise<Obj[]> {
    ws.socket.send(text);
    const probe = `probe-${++probes}`;
    ws.send({ id: probe, type: 'request', action: 'ping', params: { name: 'fuzz-probe' } });
    const frames: Obj[] = [];
    for (;;) {
      const frame = await ws.next(ANSWER_MS);
      if (frame.id === probe && frame.type === 'response') return frames;
      frames.push(frame);
    }
  }

  it(`answers ${RUNS} random frames with well-formed frames and stays up`, async () => {
    await fc.assert(
      fc.asyncProperty(frameText, async (text) => {
        const frames = await exchange(text);
        for (const frame of frames) {
          const why = malformed(frame);
          assert.equal(why, undefined, `${why ?? ''}: ${JSON.stringify(frame).slice(0, 300)}`);
        }
        if (expectsAnswer(text)) assert.ok(frames.some(isAnswer), `no answer to ${text.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    assert.equal(proc?.child.exitCode, null, 'the server process is still running');
    const status = await ws.call({ id: 'final', type: 'request', action: 'status', params: {} });
    assert.equal(typeof (status.result as Obj).revision, 'number');
  });
});
