/**
 * The server's data folder on a small tmpfs that is then filled: writes fail with a clear error,
 * reads keep working, and writes work again once space is back. Mounting needs root.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requirePeer } from '../helpers/peers.js';
import { startTestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket } from './support.js';
import { fillDisk, mountTmpfs } from '../helpers/tmpfs.js';


/** A registration whose record needs far more room than a full disk has left. */
const wide = (name: string): Obj => ({
  name,
  host: '10.0.0.7',
  port: 4444,
  // As wide as metadata may be (32 KiB): still far more than a full disk has left.
  metadata: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(4000)])),
});

describe('a full disk under the server', () => {
  it('fails writes with unavailable, keeps answering reads, and writes again once space is back', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-full-disk-'));
    await chmod(dir, 0o755);
    if (!requirePeer(t, mountTmpfs(dir, '16m'), 'mounting a small tmpfs needs root with CAP_SYS_ADMIN')) {
      await rm(dir, { recursive: true, force: true });
      return;
    }
    try {
      const srv = await startTestServer({ dataDir: dir });
      const ws = await openSocket(srv.url, { ca: srv.caPem });
      try {
        assert.equal(envelopeCode(await ws.call(envelope('before', 'register', { name: 'kept', host: '10.0.0.6', port: 1 }))), undefined);
        const filler = join(dir, 'filler');
        fillDisk(filler);
        const failed = await ws.call(envelope('full', 'register', wide('too-wide')));
        assert.equal(envelopeCode(failed), 'unavailable', JSON.stringify(failed).slice(0, 300));
        assert.match(String((failed.error as Obj).message), /could not (save|commit)/);
        const listed = await ws.call(envelope('list', 'list_services'));
        assert.deepEqual((listed.result as Obj[]).map((s) => s.name).filter((n) => n !== 'plexus'), ['kept']);
        assert.equal(envelopeCode(await ws.call(envelope('get', 'get_service', { name: 'kept' }))), undefined);
        assert.equal(envelopeCode(await ws.call(envelope('status', 'status'))), undefined);
        await rm(filler);
        assert.equal(envelopeCode(await ws.call(envelope('again', 'register', wide('fits-now')))), undefined);
      } finally {
        await ws.close();
        await srv.close();
      }
    } finally {
      execFileSync('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
