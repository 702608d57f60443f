import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BadFrame, jsonRpcNumbers, malformedFrames, type Speaks } from '../helpers/malformed-frames.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { type ServerProcess, spawnServerProcess } from '../helpers/server-process.js';

type Obj = Record<string, unknown>;

const WARM_UP = 100;
const MEASURED = 1_000;
const ANSWER_MS = 10_000;
/** A leak check, not a speed limit: 1,000 leaked frames (some of 2 MB) would pass this easily. */
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

const keysOf = (frame: Obj): string[] => Object.keys(frame).sort();
const objectAt = (value: unknown, what: string): Obj => {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} is an object: ${JSON.stringify(value)}`);
  return value as Obj;
};

function assertMessage(error: Obj, bad: BadFrame): void {
  assert.equal(typeof error.message, 'string');
  const message = String(error.message);
  assert.ok(message.length > 0, 'the message is not empty');
  for (const field of bad.fields ?? []) assert.ok(message.includes(field), `the message names ${field}: ${message}`);
}

/** `{"jsonrpc":"2.0","id":…,"error":{"code":<number>,"message":…}}` */
function assertJsonRpcError(frame: Obj, bad: BadFrame): void {
  assert.deepEqual(keysOf(frame), ['error', 'id', 'jsonrpc']);
  assert.equal(frame.jsonrpc, '2.0');
  assert.equal(frame.id, bad.id);
  const error = objectAt(frame.error, 'error');
  assert.equal(error.code, jsonRpcNumbers[bad.code]);
  if (bad.code === 'frame_too_large') assert.equal(objectAt(error.data, 'error.data').code, 'frame_too_large');
  assertMessage(error, bad);
}

/** `{"id":…,"type":"response","error":{"code":<string>,"message":…}}`, id "" when unreadable. */
function assertEnvelopeError(frame: Obj, bad: BadFrame): void {
  assert.deepEqual(keysOf(frame), ['error', 'id', 'type']);
  assert.equal(frame.type, 'response');
  assert.equal(frame.id, bad.id ?? '');
  const error = objectAt(frame.error, 'error');
  assert.equal(error.code, bad.code);
  assertMessage(error, bad);
}

/** The subscription id, a stream `error` item (code as a string, not recoverable), then `done`. */
function assertStreamError(frames: readonly Obj[], bad: BadFrame): void {
  const [ack, item, done] = frames;
  assert.ok(ack !== undefined && item !== undefined && done !== undefined, 'three frames');
  assert.deepEqual(keysOf(ack), ['id', 'jsonrpc', 'result']);
  assert.equal(ack.id, bad.id);
  assert.equal(typeof ack.result, 'string');
  for (const frame of [item, done]) {
    assert.equal(frame.method, 'registry-hub.call');
    assert.equal(objectAt(frame.params, 'params').subscription, ack.result);
  }
  const error = objectAt(objectAt(item.params, 'params').result, 'params.result');
  assert.equal(error.type, 'error');
  assert.equal(error.code, String(jsonRpcNumbers[bad.code]));
  assert.equal(error.recoverable, false);
  if (bad.code === 'invalid_params') assert.match(String(error.message), /^Invalid params: /);
  assertMessage(error, bad);
  assert.equal(objectAt(objectAt(done.params, 'params').result, 'params.result').type, 'done');
}

function describeFailure(error: unknown): string {
  if (error instanceof assert.AssertionError) {
    return `${error.message.split('\n')[0]} (actual ${JSON.stringify(error.actual)}, expected ${JSON.stringify(error.expected)})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Sends one bad frame and checks its answer; returns the dialect the connection now speaks. */
async function exchange(ws: RawSocket, bad: BadFrame, last: Speaks, mismatches: Map<string, string>): Promise<Speaks> {
  ws.socket.send(bad.data);
  const answerIn = bad.speaks ?? last;
  let frames: Obj[];
  try {
    frames = await ws.take(bad.stream ? 3 : 1, ANSWER_MS);
  } catch (error) {
    throw new Error(`no answer to ${bad.label}: ${String(error)}`);
  }
  try {
    if (bad.stream) assertStreamError(frames, bad);
    else if (answerIn === 'envelope') assertEnvelopeError(frames[0] ?? {}, bad);
    else assertJsonRpcError(frames[0] ?? {}, bad);
  } catch (error) {
    const shown = frames.map((f) => JSON.stringify(f).slice(0, 400)).join(' | ');
    mismatches.set(bad.label, `${describeFailure(error)} — answer: ${shown}`);
  }
  return bad.speaks ?? last;
}

describe('malformed frames', () => {
  let dataDir: string | undefined;
  let proc: ServerProcess | undefined;
  let ws: RawSocket | undefined;
  const opened: RawSocket[] = [];
  let rssAfterWarmUp = 0;
  let rssAfterBurst = 0;
  const sent = { total: 0, big: 0 };

  const open = async (): Promise<RawSocket> => {
    assert.ok(proc !== undefined, 'the server process runs');
    const raw = await openRawSocket(proc.url, proc.caPem);
    raw.socket.on('error', () => {});
    opened.push(raw);
    return raw;
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-malformed-'));
    await chmod(dataDir, 0o755);
    proc = await spawnServerProcess(dataDir);
  });

  after(async () => {
    for (const raw of opened) await raw.close();
    await proc?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers non-JSON on a fresh connection as JSON-RPC -32700 with id null', async () => {
    const fresh = await open();
    fresh.sendText('{"not json');
    const answer = await fresh.next(ANSWER_MS);
    assert.deepEqual(keysOf(answer), ['error', 'id', 'jsonrpc']);
    assert.equal(answer.jsonrpc, '2.0');
    assert.equal(answer.id, null);
    assert.equal(objectAt(answer.error, 'error').code, -32700);
    assert.equal(typeof objectAt(answer.error, 'error').message, 'string');
  });

  it('answers non-JSON after an envelope request as an envelope parse_error with id ""', async () => {
    const raw = await open();
    raw.send({ id: 'first', type: 'request', action: 'list_services', params: {} });
    const first = await raw.next(ANSWER_MS);
    assert.equal(first.id, 'first');
    assert.ok(Array.isArray(first.result));
    raw.sendText('{"not json');
    const answer = await raw.next(ANSWER_MS);
    assert.deepEqual(keysOf(answer), ['error', 'id', 'type']);
    assert.equal(answer.id, '');
    assert.equal(answer.type, 'response');
    assert.equal(objectAt(answer.error, 'error').code, 'parse_error');
    assert.equal(typeof objectAt(answer.error, 'error').message, 'string');
  });

  it('answers each of 1,000 malformed frames with an error in the dialect the connection speaks', async () => {
    assert.ok(proc !== undefined);
    ws = await open();
    const mismatches = new Map<string, string>();
    const frames = malformedFrames();
    let last: Speaks = 'jsonrpc';
    for (let i = 0; i < WARM_UP + MEASURED; i++) {
      if (i === WARM_UP) rssAfterWarmUp = await proc.rssBytes();
      const { value: bad } = frames.next();
      assert.ok(bad !== undefined);
      last = await exchange(ws, bad, last, mismatches);
      if (i >= WARM_UP) {
        sent.total++;
        if (bad.code === 'frame_too_large') sent.big++;
      }
    }
    rssAfterBurst = await proc.rssBytes();
    assert.deepEqual([...mismatches].map(([label, why]) => `${label}: ${why}`), [], 'every answer has the right dialect, id and code');
    assert.equal(sent.total, MEASURED);
    assert.ok(sent.big >= 3, `a few 2 MB frames are among them (${sent.big})`);
  });

  it('answers a valid request on the same connection afterwards', async () => {
    assert.ok(ws !== undefined, 'the burst ran');
    ws.send({ jsonrpc: '2.0', id: 'valid', method: 'registry.register', params: { name: 'after-burst', host: '10.0.0.7', port: 4444 } });
    const answer = await ws.next(ANSWER_MS);
    assert.equal(answer.id, 'valid');
    const result = objectAt(answer.result, 'result');
    assert.equal(result.type, 'backend_registered');
    assert.equal(objectAt(result.backend, 'backend').name, 'after-burst');
  });

  it('accepts a new connection afterwards', async () => {
    const raw = await open();
    raw.send({ id: 'new', type: 'request', action: 'get_service', params: { name: 'after-burst' } });
    const answer = await raw.next(ANSWER_MS);
    assert.equal(answer.id, 'new');
    assert.equal(objectAt(answer.result, 'result').name, 'after-burst');
  });

  it('keeps the server process running', () => {
    assert.ok(proc !== undefined);
    assert.equal(proc.child.exitCode, null);
    assert.equal(proc.child.signalCode, null);
  });

  it('keeps its memory flat across the malformed frames', (t) => {
    assert.ok(rssAfterWarmUp > 0 && rssAfterBurst > 0, 'both readings were taken');
    const growth = rssAfterBurst - rssAfterWarmUp;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    t.diagnostic(`RSS ${mb(rssAfterWarmUp)} after ${WARM_UP} frames, ${mb(rssAfterBurst)} after ${MEASURED} more (${sent.big} of 2 MB)`);
    assert.ok(growth < MAX_RSS_GROWTH, `RSS grew by ${mb(growth)} (${mb(rssAfterWarmUp)} → ${mb(rssAfterBurst)}); the bound is ${mb(MAX_RSS_GROWTH)}`);
  });
});
