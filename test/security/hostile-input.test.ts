/**
 * Input a write-role (or anonymous) caller sends to hurt the server or its operators: hosts that a
 * shell would run, answers that grow with the question, metadata that costs the server more than
 * it costs the sender. Every attack goes over a real socket to a real server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { isHost } from '../../src/domain/index.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, startConfiguredServer, type TestSocket } from './support.js';

const HOSTILE_HOSTS = ['$(touch /tmp/pwned)', 'x;touch /tmp/pwned-2;:', 'not..a..host', 'a b', "it's", 'x\u001b]0;owned\u0007', '-lead', 'trail-', '10.0.0.256', `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}ab`];
const GOOD_HOSTS = ['10.0.0.5', '::1', 'fd00::1:2', 'localhost', 'api.internal', 'hub-2.eu-west.example.com', '3com.net'];

const fieldsOf = (answer: Obj): { path: string; message: string }[] => {
  const error = answer.error as Obj;
  return ((error.details as Obj).fields as { path: string; message: string }[]) ?? [];
};

/** One server with its defaults and one loopback socket, for the host and answer-size tests. */
let srv: TestServer;
let ws: TestSocket;
before(async () => {
  srv = await startConfiguredServer('');
  ws = await openSocket(srv.url, { ca: srv.caPem });
});
after(async () => {
  await ws?.close();
  await srv?.close();
});

describe('isHost', () => {
  it('accepts IP addresses and RFC 1123 names and nothing else', () => {
    for (const host of GOOD_HOSTS) assert.equal(isHost(host), true, host);
    for (const host of HOSTILE_HOSTS) assert.equal(isHost(host), false, host);
  });
});

describe('host validation at the edge', () => {
  it('refuses a register whose host a shell would run, naming the field', async () => {
    for (const host of HOSTILE_HOSTS) {
      const answer = await ws.call(envelope('r', 'register', { name: 'evil', host, port: 4444 }));
      assert.equal(envelopeCode(answer), 'invalid_params', host);
      assert.deepEqual(fieldsOf(answer).map((f) => f.path), ['host'], host);
      assert.match(fieldsOf(answer)[0]?.message ?? '', /RFC 1123/);
    }
    const listed = await ws.call(envelope('l', 'list_services', { active_only: false }));
    assert.ok(!(listed.result as Obj[]).some((s) => s.name === 'evil'), 'nothing was registered');
  });

  it('accepts addresses and host names', async () => {
    for (const [i, host] of GOOD_HOSTS.entries()) {
      assert.equal(envelopeCode(await ws.call(envelope(`g${i}`, 'register', { name: `good-${i}`, host, port: 4444 }))), undefined, host);
    }
  });

  it('refuses hostile hosts in update, in register_service addresses and location, and over JSON-RPC', async () => {
    const update = await ws.call(envelope('u', 'update', { name: 'good-0', host: '$(id)' }));
    assert.deepEqual(fieldsOf(update).map((f) => f.path), ['host']);
    const entry = await ws.call(envelope('e', 'register_service', { name: 'entry', port: 80, addresses: { lan: 'a;b' }, location: { type: 'remote', host: '`id`', ssh_user: 'ops' } }));
    assert.deepEqual(fieldsOf(entry).map((f) => f.path).sort(), ['addresses.lan', 'location.host']);
    const rpc = await ws.call({ jsonrpc: '2.0', id: 1, method: 'registry.register', params: { name: 'evil', host: 'x;y', port: 1 } });
    assert.equal((rpc.error as Obj).code, -32602);
    assert.match(String((rpc.error as Obj).message), /host: must be an IP address or an RFC 1123 host name/);
  });

  it('refuses hostile hosts in [[backend]], [[node]] and [server] of the configuration', () => {
    const cases = [
      ['[[backend]]\nname = "b"\nhost = "$(touch /tmp/pwned)"\nport = 1\n', 'backend[0].host'],
      ['[[node]]\nname = "n"\nhost = "n;id"\n', 'node[0].host'],
      ['[server]\nhost = "not..a..host"\n', 'server.host'],
    ] as const;
    for (const [toml, path] of cases) {
      assert.throws(
        () => parseConfig(toml, { configPath: '/nonexistent/backends.toml', env: {}, cwd: '/' }),
        (error: unknown) => error instanceof ConfigError && error.issues.some((issue) => issue.path === path && /RFC 1123/.test(issue.message)),
        path,
      );
    }
  });
});

describe('answers never grow with the question', () => {
  const answerOf = async (frame: unknown, count = 1): Promise<string> => {
    const frames: Obj[] = [];
    ws.send(frame);
    for (let i = 0; i < count; i++) frames.push(await ws.next());
    return frames.map((f) => JSON.stringify(f)).join('\n');
  };

  it('cuts a 1 MB method name to about 128 characters in every dialect', async () => {
    const name = 'm'.repeat(1_000_000);
    const answers = [
      await answerOf(envelope('a', name)),
      await answerOf({ jsonrpc: '2.0', id: 1, method: name }),
      await answerOf({ jsonrpc: '2.0', id: 2, method: 'registry-hub.call', params: { method: name } }, 3),
      await answerOf({ jsonrpc: '2.0', id: 3, method: `registry.${name}` }),
    ];
    for (const text of answers) {
      assert.ok(text.length < 2_000, `an answer of ${text.length} characters`);
      assert.match(text, /unknown|not found|-32601/);
      assert.match(text, /… \(\d{7} characters\)/);
    }
  });

  it('refuses a request id longer than 256 characters instead of repeating it', async () => {
    const text = await answerOf({ jsonrpc: '2.0', id: 'i'.repeat(900_000), method: 'registry.list' });
    assert.ok(text.length < 1_000, text.slice(0, 200));
    assert.match(text, /"id":null/);
    assert.match(text, /at most 256 characters/);
  });

  it('answers 90,000 non-string metadata values with one short invalid_params', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 90_000 }, (_, i) => [String(i), i % 10]));
    const text = await answerOf(envelope('m', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata }));
    assert.ok(text.length < 1_000, `an answer of ${text.length} characters`);
    assert.match(text, /metadata: must have at most 64 entries \(it has 90000\)/);
  });

  it('lists at most 20 bad fields and counts the rest', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));
    const answer = JSON.parse(await answerOf(envelope('f', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata }))) as Obj;
    assert.equal(fieldsOf(answer).length, 20);
    assert.equal(((answer.error as Obj).details as Obj).more, 40);
    assert.match(String((answer.error as Obj).message), /values must be strings; and 40 more$/);
  });

  it('cuts a 1 MB metadata key in the field path it reports', async () => {
    const text = await answerOf(envelope('k', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata: { ['k'.repeat(900_000)]: 1 } }));
    assert.ok(text.length < 2_000, `an answer of ${text.length} characters`);
  });

  it('bounds metadata in total bytes and keeps string values only', async () => {
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(4000)]));
    assert.match(await answerOf(envelope('w', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata: wide })), /at most 32768 bytes/);
    assert.match(await answerOf(envelope('n', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata: { a: { nested: true } } })), /metadata\.a: values must be strings/);
    assert.equal(envelopeCode(JSON.parse(await answerOf(envelope('ok', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata: { team: 'core' } }))) as Obj), undefined);
  });
});

describe('the role is checked before any costly work', () => {
  let anonymous: TestServer;
  before(async () => {
    anonymous = await startConfiguredServer('[auth]\nloopback_role = "none"\n');
  });
  after(() => anonymous?.close());

  it('answers an anonymous register of 90,000 metadata values with a short unauthorized', async () => {
    const caller = await openSocket(anonymous.url, { ca: anonymous.caPem });
    try {
      const metadata = Object.fromEntries(Array.from({ length: 90_000 }, (_, i) => [String(i), i % 10]));
      const answer = await caller.call(envelope('m', 'register', { name: 'meta', host: '10.0.0.1', port: 1, metadata }));
      assert.equal(envelopeCode(answer), 'unauthorized');
      assert.ok(JSON.stringify(answer).length < 500);
    } finally {
      await caller.close();
    }
  });
});
