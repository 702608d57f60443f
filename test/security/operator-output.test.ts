/**
 * A write-role client targets the operator: it stores strings for `registry env` to run in the
 * operator's shell, or escape sequences for `list`, `get` and `watch` to play on the operator's
 * terminal. Today's server refuses such hosts at the edge (hostile-input.test.ts); these records
 * are written straight into the store, as an older server or another writer would have left them,
 * so the CLI's own encoding is what is tested. Everything runs the real `registry` executable.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CLI_ARGS, spawnCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { seedServices } from './support.js';

const exec = promisify(execFile);

/** What a terminal would act on: C0 but the newline, DEL, C1 and the bidirectional overrides. */
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const TITLE = '\u001b]0;owned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const CSI_8BIT = '\u009b31m';

describe('what the CLI prints for hostile records', () => {
  let dir: string;
  let srv: TestServer;
  let marker: string;
  let target: string[];
  let env: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-operator-'));
    await chmod(dir, 0o755);
    marker = join(dir, 'pwned');
    await seedServices(dir, [
      { name: 'subst', host: `$(touch ${marker})`, port: 1 },
      { name: 'chain', host: `x;touch ${marker}-2;:`, port: 2 },
      { name: 'quote', host: "it's", port: 3 },
      { name: 'backtick', host: `\`touch ${marker}-3\``, port: 4 },
      { name: 'term', host: `h${TITLE}`, port: 5, description: `${CLEAR}cleared`, metadata: { k: CSI_8BIT } },
    ]);
    srv = await startTestServer({ dataDir: dir, flags: { autoRegister: false } });
    target = ['--url', srv.url, '--data-dir', dir];
    env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
  });
  after(async () => {
    await srv?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = async (...argv: string[]): Promise<string> => {
    const { stdout } = await exec(process.execPath, [...CLI_ARGS, ...target, ...argv], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    return stdout;
  };

  it('quotes every value of registry env, so eval in a real bash runs nothing', async () => {
    const registry = [process.execPath, ...CLI_ARGS, ...target].map((word) => `'${word}'`).join(' ');
    const script = `eval "$(${registry} env subst chain quote backtick)" && printf '%s\\n' "$SUBST_ADDR" "$CHAIN_ADDR" "$QUOTE_ADDR" "$BACKTICK_ADDR"`;
    const { stdout } = await exec('bash', ['-c', script], { env: { PATH: process.env.PATH, ...env } });
    assert.deepEqual(stdout.split('\n').slice(0, 4), [`$(touch ${marker}):1`, `[x;touch ${marker}-2;:]:2`, "it's:3", `\`touch ${marker}-3\`:4`]);
    for (const suffix of ['', '-2', '-3']) {
      await assert.rejects(access(`${marker}${suffix}`), `${marker}${suffix} was created: the shell ran a registered host`);
    }
  });

  it('prints env values single-quoted, with a quote written as \'\\\'\'', async () => {
    assert.equal(await cli('env', 'quote'), "QUOTE_ADDR='it'\\''s:3'\n");
  });

  it('shows control characters escaped in list, get and their JSON', async () => {
    const list = await cli('list', '--all');
    const get = await cli('get', 'term');
    const json = await cli('--json', 'get', 'term');
    for (const [what, text] of [['list', list], ['get', get], ['get --json', json]] as const) {
      assert.doesNotMatch(text, TERMINAL_CONTROLS, `${what} printed a raw control character`);
    }
    assert.match(list, /^term\s+h\\x1b\]0;owned\\x07\s+5\s/m);
    assert.match(get, /^description:\s+\\x1b\[2J\\x1b\[Hcleared$/m);
    assert.match(get, /^metadata:\s+\{"k":"\\x9b31m"\}$/m);
    const parsed = JSON.parse(json) as { host: string; description: string; metadata: Record<string, string> };
    assert.deepEqual([parsed.host, parsed.description, parsed.metadata.k], [`h${TITLE}`, `${CLEAR}cleared`, CSI_8BIT], 'the JSON still carries the exact values');
  });

  it('shows control characters escaped in watch, as text and as JSON', async () => {
    for (const json of [false, true]) {
      const watch = spawnCli([...target, ...(json ? ['--json'] : []), 'watch', '--since', '1', '--service', 'term'], env);
      try {
        const line = await watch.waitForLine(/term/);
        assert.doesNotMatch(watch.stdout(), TERMINAL_CONTROLS);
        if (!json) assert.match(line, /ServiceRegistered {2}term$/);
        else assert.match(line, /\\u001b\[2J/);
      } finally {
        await watch.close();
      }
    }
  });
});
