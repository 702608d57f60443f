/**
 * The PostgreSQL tests wherever a user clones: here, from this very checkout seen at a path
 * under a 0700 folder (as `/root` is, or what `mktemp -d` makes). As root, initdb and postgres
 * run as the `postgres` user, which cannot enter such a folder. The checkout is bind-mounted
 * there (root only), and a child process started from that path starts PostgreSQL through the
 * same helper every PostgreSQL test uses.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { requirePeer } from '../helpers/peers.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Mounts `from` on `to`; false when this process may not. */
function bindMount(from: string, to: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--bind', from, to], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('PostgreSQL test helper - a clone under a 0700 folder', () => {
  it('starts PostgreSQL from a checkout the postgres user cannot enter', async (t) => {
    const outer = await mkdtemp(join(tmpdir(), 'registry-private-'));
    try {
      assert.equal((await stat(outer)).mode & 0o777, 0o700, 'mkdtemp makes a 0700 folder, as /root is');
      const clone = join(outer, 'service-registry');
      await mkdir(clone);
      if (!requirePeer(t, bindMount(projectRoot, clone), 'bind-mounting the checkout needs root with CAP_SYS_ADMIN')) return;
      try {
        const helper = join(clone, 'test', 'helpers', 'postgres.ts');
        const script = `const { startPostgres } = await import(${JSON.stringify(helper)});
          const started = await startPostgres();
          if (started.ok) await started.postgres.close();
          console.log(JSON.stringify(started.ok ? { ok: true } : { ok: false, reason: started.reason }));`;
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.NODE_TEST_CONTEXT;
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: clone, env, timeout: 120_000 });
        assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'), { ok: true });
      } finally {
        execFileSync('umount', ['-l', clone]);
      }
    } finally {
      // Never recursive: were the checkout still mounted there, it would be deleted.
      await rmdir(join(outer, 'service-registry')).catch(() => undefined);
      await rmdir(outer);
    }
  });
});
