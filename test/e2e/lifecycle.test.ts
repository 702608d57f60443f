/**
 * The process a user starts is the one their signals reach: `npm start` in the background,
 * stopped with `kill <pid of npm>`, or with Ctrl-C at a terminal (SIGINT to the whole process
 * group). The server must stop gracefully, and nothing may keep listening afterwards. `npm start`
 * runs the compiled package, so it runs here in the checkout as `npm ci` leaves it: built.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isRunning, type SpawnedCli, watchChild } from '../helpers/cli.js';
import { listeningLine } from '../helpers/data-folder.js';
import { eventually } from '../helpers/log-capture.js';
import { packedCheckout } from '../helpers/packed.js';

/** The built checkout `npm start` runs in. */
let projectRoot = '';

/** `npm start -- <serve flags>` as its own process group, like a shell job. */
function npmStart(home: string): SpawnedCli {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
  };
  const args = ['start', '--', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(home, 'data'), '--no-auto-register'];
  return watchChild(spawn('npm', args, { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Resolves true when a TCP connection to the port is refused. */
const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

/** Waits for the output pipes to close, which the server holds too: it has exited, or the test fails. */
async function everythingExited(npm: SpawnedCli, what: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 30_000)));
  const exit = await Promise.race([npm.exited, late]);
  clearTimeout(timer);
  assert.ok(exit !== undefined, `${what}: the server kept running after npm exited; output: ${npm.stdout()}`);
  return exit.stdout;
}

async function withNpmStart(body: (npm: SpawnedCli, server: { readonly pid: number; readonly port: number }) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'registry-npm-start-'));
  await chmod(home, 0o755);
  const npm = npmStart(home);
  let server: { readonly pid: number; readonly port: number } | undefined;
  try {
    server = listeningLine(await npm.waitForLine(/"msg":"listening on /, 60_000));
    await body(npm, server);
    await eventually(async () => (isRunning(server?.pid ?? 0) ? undefined : true), 15_000, 'the server process ending');
    assert.ok(await refused(server.port), `something still listens on port ${server.port}`);
  } finally {
    if (server !== undefined && isRunning(server.pid)) process.kill(server.pid, 'SIGKILL');
    await npm.close();
    await rm(home, { recursive: true, force: true });
  }
}

describe('npm start', { timeout: 300_000 }, () => {
  before(async () => {
    projectRoot = (await packedCheckout()).root;
  });

  it('stops the server gracefully when npm gets SIGTERM, and nothing keeps listening', () =>
    withNpmStart(async (npm, server) => {
      assert.ok(npm.child.pid !== undefined && npm.child.pid !== server.pid, 'npm runs the server as a child');
      npm.child.kill('SIGTERM');
      const output = await everythingExited(npm, 'kill <npm pid>');
      assert.match(output, /"msg":"registry stopped"/);
    }));

  it('stops the server gracefully on Ctrl-C, which reaches npm and the server alike', () =>
    withNpmStart(async (npm) => {
      process.kill(-(npm.child.pid ?? 0), 'SIGINT');
      const output = await everythingExited(npm, 'Ctrl-C');
      assert.match(output, /"msg":"registry stopped"/, 'a Ctrl-C delivered twice (terminal and npm) is still a graceful stop');
    }));
});
