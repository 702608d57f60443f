/**
 * What an operator gets wrong when starting `registry serve`, produced for real with the real
 * executable: a port another listener holds, an address this host does not have, a privileged
 * port, a second server on the same data folder (or the same SQLite file), and a server that was
 * SIGKILLed. Each ends in one clear line and an exit code, and a start that fails leaves the
 * data folder exactly as it was.
 */
import assert from 'node:assert/strict';
import { chmod, chown, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import { runCaptured, spawnCli, type SpawnedCli } from '../helpers/cli.js';
import { listeningLine, pictureOf } from '../helpers/data-folder.js';
import { requirePeer } from '../helpers/peers.js';

const homes: string[] = [];
const running: SpawnedCli[] = [];
after(async () => {
  await Promise.all(running.map((child) => child.close()));
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
});

/** A home of its own (so no real configuration is read), readable by the `nobody` user. */
async function newHome(): Promise<{ readonly home: string; readonly env: Record<string, string> }> {
  const home = await mkdtemp(join(tmpdir(), 'registry-start-'));
  await chmod(home, 0o755);
  homes.push(home);
  return { home, env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config') } };
}

function serve(dataDir: string, env: Record<string, string>, ...more: string[]): SpawnedCli {
  const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--no-auto-register', ...more], env);
  running.push(child);
  return child;
}

async function listening(child: SpawnedCli): Promise<ReturnType<typeof listeningLine>> {
  return listeningLine(await child.waitForLine(/"msg":"listening on /));
}

/** A real listener on an OS-picked loopback port. */
async function holdPort(): Promise<{ readonly port: number; readonly server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return { port: address.port, server };
}

describe('serve - bind failures', () => {
  it('refuses a port another listener holds with exit 5 and one line, and creates no data folder', async () => {
    const { home, env } = await newHome();
    const dataDir = join(home, 'data');
    const { port, server } = await holdPort();
    try {
      const exit = await spawnCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], env).exited;
      assert.equal(exit.code, EXIT.unavailable, exit.stderr);
      assert.equal(exit.stderr, `error [unavailable]: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
      assert.equal(exit.stdout, '');
      assert.equal(await pictureOf(dataDir), 'absent');
    } finally {
      server.close();
    }
  });

  it('changes nothing in an existing data folder, server.pem included, when the address is not this host’s', async () => {
    const { home, env } = await newHome();
    const dataDir = join(home, 'data');
    const first = serve(dataDir, env);
    await listening(first);
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, EXIT.ok);
    const before = await pictureOf(dataDir);
    assert.ok(Array.isArray(before) && before.some((entry) => entry.startsWith('tls/server.pem ')), String(before));
    // 10.255.255.1 is not an address of this host: binding it fails before a byte goes anywhere.
    const exit = await spawnCli(['serve', '--host', '10.255.255.1', '--port', '0', '--data-dir', dataDir], env).exited;
    assert.equal(exit.code, EXIT.unavailable, exit.stderr);
    assert.equal(exit.stderr, "error [unavailable]: cannot listen on 10.255.255.1:0: the address is not one of this host's\n");
    assert.deepEqual(await pictureOf(dataDir), before);
  });

  it('explains a privileged port refused to an ordinary user, with exit 5', async (t) => {
    if (!requirePeer(t, process.getuid?.() === 0, 'running the server as the nobody user needs root')) return;
    const { home, env } = await newHome();
    await chown(home, 65534, 65534);
    const dataDir = join(home, 'data');
    const exit = await spawnCli(['serve', '--host', '127.0.0.1', '--port', '1', '--data-dir', dataDir], env, undefined, { uid: 65534, gid: 65534 }).exited;
    assert.equal(exit.code, EXIT.unavailable, exit.stderr);
    assert.equal(exit.stderr, 'error [unavailable]: cannot listen on 127.0.0.1:1: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)\n');
    assert.equal(await pictureOf(dataDir), 'absent');
  });
});

describe('serve - one server per data folder', () => {
  it('refuses a second server, naming the PID and address of the first, which keeps serving and is still found', async () => {
    const { home, env } = await newHome();
    const dataDir = join(home, 'data');
    const first = serve(dataDir, env);
    const { url, pid } = await listening(first);
    const before = await pictureOf(join(dataDir, 'tls'));
    const second = await serve(dataDir, env).exited;
    assert.equal(second.code, EXIT.unavailable, second.stderr);
    assert.equal(second.stderr, `error [unavailable]: the data folder ${dataDir} is in use by another registry server (pid ${pid}, ${url}): stop that server first, or give this one another data folder\n`);
    assert.deepEqual(await pictureOf(join(dataDir, 'tls')), before, 'the refused server wrote no certificate');
    // Commands that only read the folder, and client commands that find the server through it, keep working.
    const ca = await runCaptured(['--data-dir', dataDir, 'cert', 'ca'], { env });
    assert.equal(ca.code, EXIT.ok, ca.stderr);
    assert.match(ca.stdout, /^-----BEGIN CERTIFICATE-----/);
    const listed = await runCaptured(['--data-dir', dataDir, '--json', 'status'], { env });
    assert.equal(listed.code, EXIT.ok, listed.stderr);
    assert.equal(first.child.exitCode, null, 'the first server still runs');
  });

  it('starts at once on a folder whose server was SIGKILLed: the stale lock file does not block it', async () => {
    const { home, env } = await newHome();
    const dataDir = join(home, 'data');
    const first = serve(dataDir, env);
    const { pid } = await listening(first);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    assert.ok(await stat(join(dataDir, 'registry.lock')), 'the killed server left its lock file behind');
    const again = serve(dataDir, env);
    const restarted = await listening(again);
    assert.notEqual(restarted.pid, pid);
    again.child.kill('SIGTERM');
    assert.equal((await again.exited).code, EXIT.ok);
  });

  it('refuses a second server on the same SQLite file from another data folder', async () => {
    const { home, env } = await newHome();
    const dbPath = join(home, 'shared.db');
    const first = serve(join(home, 'a'), env, '--db-path', dbPath);
    await listening(first);
    const second = await serve(join(home, 'b'), env, '--db-path', dbPath).exited;
    assert.equal(second.code, EXIT.unavailable, second.stderr);
    assert.equal(second.stderr, `error [unavailable]: the SQLite database ${dbPath} is in use by another process (a registry server holds it while it runs)\n`);
    assert.equal(await pictureOf(join(home, 'b')), 'absent', 'the refused server left no data folder behind');
  });
});
