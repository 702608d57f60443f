/**
 * Client commands while the configuration file is broken: they warn and still find the server,
 * from the environment, the data folder (the address the running server recorded there, its CA)
 * and the defaults, with no --url and no --ca.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import { defaultConfigPath } from '../../src/config/index.js';
import { runCaptured } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('client commands with a broken configuration file', () => {
  let home: string;
  let env: Record<string, string>;
  let srv: TestServer;
  let configPath: string;
  const run = (...argv: string[]) => runCaptured(argv, { env, cwd: home });

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'registry-broken-config-'));
    env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
    configPath = defaultConfigPath(env);
    await mkdir(dirname(configPath), { recursive: true });
    // The server serves the default data folder (the config file's) on a port the OS picked.
    srv = await startTestServer({ dataDir: dirname(configPath), flags: { autoRegister: false } });
    assert.equal(srv.configPath, configPath);
    await writeFile(configPath, '[server]\nport = "not a number"\n');
  });
  after(async () => {
    await srv.close();
    await rm(home, { recursive: true, force: true });
  });

  const warning = () =>
    `warning: the configuration file is not used (${configPath}:2:1: server.port: must be a number (got "not a number")); finding the server from the environment, the data folder and the defaults\n`;

  it('list warns on stderr and still answers from the running server', async () => {
    await run('register', 'hub', '10.0.0.5', '4444');
    const result = await run('--json', 'list', '--all');
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(result.stderr, warning());
    assert.deepEqual((JSON.parse(result.stdout) as { name: string }[]).map((s) => s.name), ['hub']);
  });

  it('reload reaches the server, which refuses the file with its line', async () => {
    const result = await run('reload');
    assert.equal(result.code, EXIT.usage);
    assert.ok(result.stderr.startsWith(warning()), result.stderr);
    assert.match(result.stderr, new RegExp(`error \\[config_invalid\\]: invalid configuration: ${configPath}:2:1: server\\.port`));
  });

  it('cert ca still prints the CA of the data folder', async () => {
    const result = await run('cert', 'ca');
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(result.stdout, `${srv.caPem?.trimEnd() ?? ''}\n`);
  });
});
