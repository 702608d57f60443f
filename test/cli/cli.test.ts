import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { certificateFingerprint } from '../../src/server/index.js';
import { runCaptured, spawnCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** An environment with no registry variables and a home of its own, so no real config is read. */
const isolatedEnv = (home: string) => ({ HOME: home, XDG_CONFIG_HOME: join(home, 'config') });

describe('registry client commands', () => {
  let srv: TestServer;
  let env: Record<string, string>;
  /** The global flags that find the test server: its URL, and its data folder for the default CA. */
  let target: string[];
  const run = (...argv: string[]) => runCaptured([...target, ...argv], { env });

  before(async () => {
    srv = await startTestServer();
    env = isolatedEnv(srv.dataDir);
    target = ['--url', srv.url, '--data-dir', srv.dataDir];
  });
  after(() => srv.close());

  it('registers a backend that list --json then shows', async () => {
    const registered = await run('register', 'hub2', '10.0.0.5', '4444', '--description', 'the hub');
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(registered.stdout, /^registered hub2 at 10\.0\.0\.5:4444 \(ws\)$/m);
    const listed = await run('--json', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    const services: unknown = JSON.parse(listed.stdout);
    assert.ok(Array.isArray(services));
    assert.ok(
      services.some((s: { name?: unknown; host?: unknown; port?: unknown }) => s.name === 'hub2' && s.host === '10.0.0.5' && s.port === 4444),
      listed.stdout,
    );
  });

  it('prints a table with the Plexus columns', async () => {
    await run('register', 'table-hub', '10.0.0.6', '4444');
    const listed = await run('list');
    assert.equal(listed.code, 0, listed.stderr);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^NAME\s+HOST\s+PORT\s+PROTOCOL\s+SOURCE\s+ACTIVE\s+LAST SEEN$/);
    assert.ok(rows.some((row) => /^table-hub\s+10\.0\.0\.6\s+4444\s+ws\s+manual\s+yes\s+/.test(row)), listed.stdout);
  });

  it('exits 3 with error [not_found] for get of an unknown name', async () => {
    const result = await run('get', 'nobody');
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, "error [not_found]: service 'nobody' not found\n");
  });

  it('exits 3 for ping of an unknown name', async () => {
    const result = await run('ping', 'nobody');
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^error \[not_found\]: /);
  });

  it('updates only the fields given and refuses an update with none', async () => {
    await run('register', 'upd', '10.0.0.7', '4444');
    const updated = await run('--json', 'update', 'upd', '--port', '4555');
    assert.equal(updated.code, 0, updated.stderr);
    const { host, port } = JSON.parse(updated.stdout) as { host: string; port: number };
    assert.deepEqual({ host, port }, { host: '10.0.0.7', port: 4555 });
    const empty = await run('update', 'upd');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^error \[invalid_argument\]: nothing to update/);
  });

  it('deletes a backend, and a second delete exits 3', async () => {
    await run('register', 'gone', '10.0.0.8', '4444');
    assert.equal((await run('delete', 'gone')).code, 0);
    assert.equal((await run('delete', 'gone')).code, 3);
  });

  it('exits 2 with the server message for params the server rejects', async () => {
    const result = await run('register', 'bad name', 'h', '1');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error \[invalid_params\]: .*name/);
  });

  it('exits 2 for a port that is not a number, before connecting', async () => {
    const result = await run('register', 'x', 'h', 'eighty');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /must be a whole number from 1 to 65535/);
  });

  it('reports status with --json', async () => {
    const result = await run('--json', 'status');
    assert.equal(result.code, 0, result.stderr);
    const status: unknown = JSON.parse(result.stdout);
    assert.equal(typeof status === 'object' && status !== null && 'store' in status ? status.store : undefined, 'sqlite');
  });

  it('connects with a pinned fingerprint instead of the CA', async () => {
    const certPem = srv.server.certPem;
    assert.ok(certPem !== undefined);
    const fingerprint = certificateFingerprint(certPem);
    const result = await runCaptured(['--url', srv.url, '--fingerprint', fingerprint, 'status'], { env });
    assert.equal(result.code, 0, result.stderr);
  });

  it('exits 5 when no CA is trusted for the server', async () => {
    const home = await mkdtemp(join(tmpdir(), 'registry-cli-'));
    try {
      const result = await runCaptured(['--url', srv.url, '--data-dir', home, 'status'], { env: isolatedEnv(home) });
      assert.equal(result.code, 5);
      assert.match(result.stderr, /^error \[connection_failed\]: TLS verification of /);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('prints the PEM the server uses with cert ca, ending with a newline', async () => {
    const result = await runCaptured(['--data-dir', srv.dataDir, 'cert', 'ca'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trimEnd(), srv.caPem?.trimEnd());
    assert.ok(result.stdout.endsWith('-----END CERTIFICATE-----\n'), JSON.stringify(result.stdout.slice(-40)));
  });
});

describe('registry offline commands', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'registry-cli-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('exits 3 with a clear message when cert ca finds no CA', async () => {
    const result = await runCaptured(['--data-dir', home, 'cert', 'ca'], { env: isolatedEnv(home) });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^error \[not_found\]: no local CA at .*tls\/ca\.pem/);
  });

  it('exits 5 when nothing listens at the URL', async () => {
    const result = await runCaptured(['--url', 'wss://127.0.0.1:1', 'list'], { env: isolatedEnv(home) });
    assert.equal(result.code, 5);
    assert.match(result.stderr, /^error \[connection_failed\]: cannot connect to wss:\/\/127\.0\.0\.1:1: /);
  });

  it('refuses to serve plaintext on a non-loopback address with exit 2', async () => {
    const result = await runCaptured(['serve', '--insecure-loopback', '--host', '0.0.0.0', '--data-dir', home], {
      env: isolatedEnv(home),
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error \[config_invalid\]: invalid configuration: .*--insecure-loopback .*only allowed while bound to loopback/);
  });

  it('prints every problem of an invalid configuration file with its line and exits 2', async () => {
    const file = join(home, 'bad.toml');
    await writeFile(file, '[server]\nport = "many"\n');
    const result = await runCaptured(['--config', file, 'serve'], { env: isolatedEnv(home) });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.toml:2:/);
  });

  it('prints the package version with --version, and with -V from the executable', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const inProcess = await runCaptured(['--version'], { env: isolatedEnv(home) });
    assert.deepEqual([inProcess.code, inProcess.stdout], [0, `${version}\n`]);
    const executable = await spawnCli(['-V'], isolatedEnv(home)).exited;
    assert.deepEqual([executable.code, executable.stdout], [0, `${version}\n`]);
  });

  it('exits 2 and prints usage for an unknown command', async () => {
    const result = await runCaptured(['frobnicate'], { env: isolatedEnv(home) });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });
});

describe('registry executable', () => {
  it('says how to build the package when bin/registry.js finds no dist/', async () => {
    const home = await mkdtemp(join(tmpdir(), 'registry-unbuilt-'));
    try {
      await mkdir(join(home, 'bin'));
      await copyFile(new URL('../../bin/registry.js', import.meta.url), join(home, 'bin', 'registry.js'));
      await writeFile(join(home, 'package.json'), '{"type":"module"}');
      const result = await promisify(execFile)(process.execPath, [join(home, 'bin', 'registry.js'), '--version']).then(
        () => undefined,
        (error: unknown) => error as { code: number; stderr: string },
      );
      assert.equal(result?.code, 1);
      assert.match(result?.stderr ?? '', /dist\/cli\/main\.js is missing: build the package first \(npm run build; npm ci does it\)/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('serves, answers a client, and stops with exit 0 on SIGINT', async () => {
    const home = await mkdtemp(join(tmpdir(), 'registry-cli-'));
    const env = isolatedEnv(home);
    const serve = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', home, '--no-auto-register'], env);
    try {
      const line = await serve.waitForLine(/listening on wss:\/\//);
      const url = /"url":"(wss:\/\/[^"]+)"/.exec(line)?.[1];
      assert.ok(url !== undefined, line);
      const listed = await runCaptured(['--url', url, '--data-dir', home, '--json', 'list', '--all'], { env });
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout), []);
      serve.child.kill('SIGINT');
      const exit = await serve.exited;
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stdout, /registry stopped/);
    } finally {
      await serve.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
