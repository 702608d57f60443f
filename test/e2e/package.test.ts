/**
 * The package as a user installs it: `npm pack` of this checkout (its `prepare` builds dist/), the
 * tarball installed into an empty folder the way README "Install" says, and the installed
 * `registry` serving and listing from there.
 *
 * better-sqlite3's install script fetches a prebuilt binary for this Node and platform, and
 * compiles one (about 1.5 minutes) when none can be fetched. Here it finds one through
 * prebuild-install's local-prebuilds setting: the binary `npm ci` built for this checkout, from
 * the same better-sqlite3 version, packed the way its releases are. That is the install a user
 * with a reachable prebuilt gets, and it still needs the approval this test gives: without it the
 * script does not run and nothing puts the binary in place (the last test shows the message and
 * the fix for exactly that).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get as getHttps } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { create as createTar } from 'tar';
import { type SpawnedCli, watchChild } from '../helpers/cli.js';
import { listeningLine } from '../helpers/data-folder.js';
import { npmEnv, type PackedCheckout, packedCheckout } from '../helpers/packed.js';

const exec = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** README "Install": the approvals a project gives before installing the package. */
const APPROVALS = ['allowScripts.better-sqlite3=true', 'allowScripts.bufferutil=true', 'allowScripts.ssh2=false', 'allowScripts.cpu-features=false'];

/** better-sqlite3's compiled binary in this checkout, packed as its releases name it, in a folder of its own. */
async function localPrebuilds(dir: string): Promise<string> {
  const driver = join(projectRoot, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(join(driver, 'package.json'), 'utf8')) as { version: string };
  const staging = join(dir, 'staging');
  await mkdir(join(staging, 'build', 'Release'), { recursive: true });
  await writeFile(join(staging, 'build', 'Release', 'better_sqlite3.node'), await readFile(join(driver, 'build', 'Release', 'better_sqlite3.node')));
  const prebuilds = join(dir, 'prebuilds');
  await mkdir(prebuilds);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await createTar({ gzip: true, file: join(prebuilds, name), cwd: staging, portable: true }, ['build']);
  return prebuilds;
}

/** A GET over HTTPS trusting `ca`: the status, the body and the Content-Security-Policy. */
function fetchPage(url: string, ca: string): Promise<{ status: number; body: string; csp: string }> {
  return new Promise((resolve, reject) => {
    getHttps(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, csp: String(res.headers['content-security-policy']) }));
    }).once('error', reject);
  });
}

/** The dependencies npm says have install scripts no approval covers (`npm warn install-scripts   name@version (…)`). */
const unreviewed = (npmOutput: string): string[] =>
  [...npmOutput.matchAll(/^npm warn install-scripts {3}(@?[^@\s]+)@\S+ \(/gm)].map((m) => m[1] ?? '');

describe('the packed package, installed into an empty folder', { timeout: 600_000 }, () => {
  let packed: PackedCheckout;
  let dir: string;
  let app: string;
  let env: NodeJS.ProcessEnv;
  let installOutput = '';

  const bin = (name: string): string => join(app, 'node_modules', '.bin', name);
  const run = (name: string, argv: readonly string[]) => exec(bin(name), [...argv], { cwd: app, env, timeout: 60_000 });
  const npm = (argv: readonly string[]) => exec('npm', [...argv], { cwd: app, env: npmEnv(env), timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  const serve = (): SpawnedCli =>
    watchChild(spawn(bin('registry'), ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'data'), '--no-auto-register'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const stop = async (server: SpawnedCli): Promise<void> => {
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    assert.equal(exit.code, 0, exit.stderr);
  };

  before(async () => {
    packed = await packedCheckout();
    dir = await mkdtemp(join(tmpdir(), 'registry-install-'));
    await chmod(dir, 0o755);
    app = join(dir, 'app');
    await mkdir(app);
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? dir, '.npm'),
      npm_config_better_sqlite3_local_prebuilds: await localPrebuilds(dir),
    };
    await npm(['init', '-y']);
    await npm(['pkg', 'set', ...APPROVALS, '--json']);
    const { stdout, stderr } = await npm(['install', '--prefer-offline', packed.tarball]);
    installOutput = `${stdout}${stderr}`;
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('installs with the approvals README gives covering every dependency install script', () => {
    // npm also lists the package's own `prepare` (the build a clone runs): it never runs it for a tarball.
    assert.deepEqual(unreviewed(installOutput).filter((name) => name !== packed.name), [], installOutput);
  });

  it('puts registry and service-registry on the path, both the compiled CLI, and answers --version', async () => {
    for (const name of ['registry', 'service-registry']) {
      const { stdout } = await run(name, ['--version']);
      assert.equal(stdout, `${packed.version}\n`);
    }
    const installed = join(app, 'node_modules', packed.name);
    await access(join(installed, 'dist', 'cli', 'main.js'));
    await assert.rejects(access(join(installed, 'src')), 'the sources are not shipped');
  });

  it('serves from the folder, and registry list reaches it', async () => {
    const server = serve();
    try {
      const { url } = listeningLine(await server.waitForLine(/"msg":"listening on /, 60_000));
      assert.match(url, /^wss:\/\/127\.0\.0\.1:\d+$/);
      const target = ['--data-dir', join(dir, 'data')];
      await run('registry', [...target, 'register', 'hub2', '10.0.0.5', '4444']);
      const { stdout } = await run('service-registry', [...target, 'list', '--json']);
      const listed = JSON.parse(stdout) as { name: string; host: string; port: number }[];
      assert.deepEqual(listed.map((b) => [b.name, b.host, b.port]), [['hub2', '10.0.0.5', 4444]]);
      // The dashboard comes with the package (dist/ui/), served by the installed server.
      await access(join(app, 'node_modules', packed.name, 'dist', 'ui', 'dashboard.js'));
      const ca = await readFile(join(dir, 'data', 'tls', 'ca.pem'), 'utf8');
      const page = await fetchPage(`${url.replace(/^wss:/, 'https:')}/ui/`, ca);
      assert.equal(page.status, 200);
      assert.match(page.body, /<script type="module" src="dashboard\.js"><\/script>/);
      assert.match(page.csp, /^default-src 'self'/);
    } finally {
      await stop(server);
    }
  });

  it('exports the client, the server and the CLI as compiled JavaScript with declarations a TypeScript consumer compiles against', async () => {
    const consumer = `import { RegistryClient, RegistryError } from 'service-registry';
import { startServer, loadConfig } from 'service-registry/server';
import { runCli } from 'service-registry/cli';
const connect: typeof RegistryClient.connect = RegistryClient.connect;
const error: RegistryError = new RegistryError('not_found');
console.log(JSON.stringify([typeof connect, error.code, typeof startServer, typeof loadConfig, typeof runCli]));
`;
    await writeFile(join(app, 'consumer.mts'), consumer);
    const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
    await exec(process.execPath, [tsc, ...flags, 'consumer.mts'], { cwd: app, timeout: 120_000 });
    const { stdout } = await exec(process.execPath, ['consumer.mjs'], { cwd: app, env, timeout: 60_000 });
    assert.deepEqual(JSON.parse(stdout), ['function', 'not_found', 'function', 'function', 'function']);
  });

  it('says how to build better-sqlite3 when its install script did not run, and serves once that is done', async () => {
    const build = join(app, 'node_modules', 'better-sqlite3', 'build');
    await rename(build, `${build}.aside`); // what a blocked install script leaves: no compiled binary
    const failed = await serve().exited;
    assert.equal(failed.code, 5, failed.stderr);
    assert.match(failed.stderr, /better-sqlite3 is not built: its install script did not run/);
    assert.match(failed.stderr, /npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3/);
    await npm(['rebuild', 'better-sqlite3']);
    const server = serve();
    try {
      await server.waitForLine(/"msg":"listening on /, 60_000);
    } finally {
      await stop(server);
    }
  });
});
