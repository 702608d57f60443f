/**
 * A full disk, for real: a small tmpfs filled to the last byte. At start it is `unavailable`
 * (exit 5) with the path and the reason, not a configuration error; while serving, failing
 * writes are logged with their reason, once for a burst. Mounting needs root.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import type { Clock } from '../../src/domain/index.js';
import { ensureServerCertificates } from '../../src/server/index.js';
import { spawnCli } from '../helpers/cli.js';
import { captureLogs } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer } from '../helpers/test-server.js';
import { fillDisk, mountTmpfs } from '../helpers/tmpfs.js';

/** Runs `body` on a fresh tmpfs of `size` mounted on a temp folder; skips loudly without root. */
async function onTmpfs(t: TestContext, size: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-disk-full-'));
  await chmod(dir, 0o755);
  if (!requirePeer(t, mountTmpfs(dir, size), 'mounting a small tmpfs needs root with CAP_SYS_ADMIN')) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  try {
    await body(dir);
  } finally {
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a full disk', () => {
  it('stops serve at start with unavailable (exit 5), the path and the reason, and leaves nothing behind', (t) =>
    onTmpfs(t, '4m', async (dir) => {
      fillDisk(join(dir, 'filler'));
      const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
      const exit = await spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dir], env).exited;
      assert.equal(exit.code, EXIT.unavailable, exit.stderr);
      assert.equal(exit.stderr, `error [unavailable]: cannot lock the data folder ${dir}: database or disk is full\n`);
      assert.deepEqual(await readdir(dir), ['filler']);
      // Writing certificates is the same fault, not a configuration mistake.
      await assert.rejects(ensureServerCertificates({ dataDir: dir }), { code: 'unavailable', message: /^cannot (write|create).* ENOSPC|no space left/i });
    }));

  it('logs failing writes with the reason, once for a burst', (t) =>
    onTmpfs(t, '16m', async (dir) => {
      const logs = captureLogs();
      const stoppedClock: Clock = { now: () => 1_800_000_000_000 };
      const srv = await startTestServer({ dataDir: dir, logger: logs.logger, clock: stoppedClock, flags: { autoRegister: false } });
      const ws = await openRawSocket(srv.url, srv.caPem);
      try {
        fillDisk(join(dir, 'filler'));
        const wide = (i: number) => ({ name: `wide-${i}`, host: '10.0.0.7', port: 4444, metadata: Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`k${k}`, 'v'.repeat(4000)])) }); // 32 KiB, the widest metadata may be
        for (let i = 0; i < 10; i++) ws.send({ id: `w${i}`, type: 'request', action: 'register', params: wide(i) });
        for (let i = 0; i < 10; i++) assert.equal(((await ws.next()).error as { code?: string } | undefined)?.code, 'unavailable');
        const logged = logs.lines.filter((line) => String(line.msg).startsWith('writes are failing'));
        assert.equal(logged.length, 1, JSON.stringify(logged));
        assert.equal(logged[0]?.level, 50);
        assert.match(String(logged[0]?.reason), /database or disk is full/);
      } finally {
        await ws.close();
        await srv.close();
      }
    }));
});
