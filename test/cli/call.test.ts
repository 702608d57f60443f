/**
 * `registry call ACTION [JSON]`: one raw operation in the action envelope, any action name the
 * server knows (aliases included), and the answer exactly as it came, printed safely however
 * hostile the text in it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { RegistryClient } from '../../src/client/index.js';
import { EXIT } from '../../src/cli/index.js';
import { runCaptured } from '../helpers/cli.js';
import { answer, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** C0 but newline, DEL, C1, and the bidirectional controls: nothing a terminal acts on. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('registry call', () => {
  let srv: TestServer;
  let client: RegistryClient;
  const run = (...argv: string[]) => runCaptured(['--url', srv.url, '--data-dir', srv.dataDir, ...argv], { env: { HOME: srv.dataDir } });

  before(async () => {
    srv = await startTestServer();
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await client.register({ name: 'api', host: '10.0.0.5', port: 8080, tags: ['http'] });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
  });

  it('prints the answer as one line of JSON, the value the server sent', async () => {
    const result = await run('call', 'get_service', '{"name":"api"}');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${JSON.stringify(await client.getService({ name: 'api' }))}\n`);
  });

  it('sends params as given, {} when there are none, and prints YAML with -o yaml', async () => {
    const listed = await run('-o', 'yaml', 'call', 'list_services');
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(parseYaml(listed.stdout), await client.listServices({}));
  });

  it('reaches the aliases of the action envelope too', async () => {
    await client.register({ name: 'gone', host: '10.0.0.6', port: 1 });
    const result = await run('call', 'deregister_service', '{"name":"gone"}');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { name: 'gone' });
  });

  it("exits with the server error's code: unknown_operation 2, not_found 3, forbidden params 2", async () => {
    const unknown = await run('call', 'frobnicate');
    assert.equal(unknown.code, EXIT.usage);
    assert.equal(unknown.stderr, "error [unknown_operation]: method 'frobnicate' not found\n");
    const missing = await run('call', 'get_service', '{"name":"nope"}');
    assert.equal(missing.code, EXIT.notFound);
    const invalid = await run('--json', 'call', 'register', '{"name":"x","port":0}');
    assert.equal(invalid.code, EXIT.usage);
    assert.equal((JSON.parse(invalid.stderr) as { error: { code: string } }).error.code, 'invalid_params');
  });

  it('refuses params that are not a JSON object, before connecting', async () => {
    for (const [text, message] of [
      ['{name:api}', /^error \[invalid_argument\]: JSON: not valid JSON/],
      ['[1,2]', /JSON: the params must be a JSON object, .* not an array/],
      ['"api"', /JSON: the params must be a JSON object, .* not "api"/],
      ['null', /not null/],
    ] as const) {
      const result = await runCaptured(['--url', 'wss://127.0.0.1:1', 'call', 'status', text], { env: {} });
      assert.equal(result.code, EXIT.usage, text);
      assert.match(result.stderr, message);
    }
  });
});

describe('registry call against a hostile server', () => {
  let hostile: ScriptedServer;
  const nasty = { title: '\u001b]0;owned\u0007', csi: '\u009b2J', bidi: 'abc\u202edef', del: 'x\u007fy', line: 'one\ntwo' };

  before(async () => {
    hostile = await startScriptedServer({ onRequest: (request, socket) => answer(socket, request.id, nasty) });
  });
  after(() => hostile?.close());

  const run = (...argv: string[]) => runCaptured(['--url', hostile.url, '--fingerprint', hostile.fingerprint, ...argv], { env: {} });

  it('sends one request frame in the action envelope, with any action name', async () => {
    const result = await run('call', 'some_future_action', '{"a":[1,{"b":null}]}');
    assert.equal(result.code, 0, result.stderr);
    const frame = hostile.frames.at(-1) as Record<string, unknown>;
    assert.deepEqual({ type: frame.type, action: frame.action, params: frame.params }, { type: 'request', action: 'some_future_action', params: { a: [1, { b: null }] } });
  });

  it('escapes every control character of the answer, as text, JSON and YAML', async () => {
    for (const format of [[], ['--json'], ['-o', 'yaml']]) {
      const result = await run(...format, 'call', 'status');
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stdout, RAW_CONTROL, `${format.join(' ')}: ${JSON.stringify(result.stdout)}`);
      if (format.length === 0) assert.equal(result.stdout.split('\n').length, 2, 'one line: no line break of the answer reaches the terminal');
      const parsed: unknown = format[1] === 'yaml' ? parseYaml(result.stdout) : JSON.parse(result.stdout);
      assert.deepEqual(parsed, nasty, 'the value is still the one the server sent');
    }
  });
});
