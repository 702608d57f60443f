/**
 * The SQLite file removed under a running server, or damaged while it was stopped. A server
 * never acknowledges a write into a file a restart would not find, and never starts on a damaged
 * file, nor replaces it with an empty one.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, open, readFile, rm, stat, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import type { Clock } from '../../src/domain/index.js';
import { spawnCli } from '../helpers/cli.js';
import { captureLogs } from '../helpers/log-capture.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

/** A clock that does not move: the write-fault log never reaches its next interval. */
const stoppedClock: Clock = { now: () => 1_800_000_000_000 };

const folders: string[] = [];
after(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

async function newFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-db-faults-'));
  folders.push(dir);
  return dir;
}

let nextId = 0;
async function register(ws: RawSocket, name: string): Promise<Obj> {
  const id = `r${++nextId}`;
  ws.send({ id, type: 'request', action: 'register', params: { name, host: '10.0.0.5', port: 4444 } });
  const answer = await ws.next();
  assert.equal(answer.id, id);
  return answer;
}

async function names(ws: RawSocket): Promise<string[]> {
  ws.send({ id: 'list', type: 'request', action: 'list_services', params: {} });
  return ((await ws.next()).result as Obj[]).map((s) => String(s.name)).sort();
}

describe('the database file removed under a running server', () => {
  for (const removed of ['registry.db', 'registry.db-wal']) {
    it(`refuses writes once ${removed} is unlinked, logs why once, and keeps serving reads`, async () => {
      const logs = captureLogs();
      const srv: TestServer = await startTestServer({ dataDir: await newFolder(), logger: logs.logger, clock: stoppedClock, flags: { autoRegister: false } });
      const ws = await openRawSocket(srv.url, srv.caPem);
      try {
        assert.equal((await register(ws, 'before')).error, undefined);
        await unlink(join(srv.dataDir, removed));
        const refused = await Promise.all(Array.from({ length: 20 }, (_, i) => register(ws, `after-${i}`)));
        for (const answer of refused) {
          const error = answer.error as Obj | undefined;
          assert.equal(error?.code, 'unavailable', JSON.stringify(answer));
          assert.match(String(error?.message), new RegExp(`the database file ${join(srv.dataDir, removed)} was removed or replaced while the server was running`));
        }
        assert.deepEqual(await names(ws), ['before']);
        const logged = logs.lines.filter((line) => String(line.msg).startsWith('writes are failing'));
        assert.equal(logged.length, 1, 'a burst of failing writes logs one line');
        assert.equal(logged[0]?.level, 50);
        assert.equal(logged[0]?.path, join(srv.dataDir, removed));
      } finally {
        await ws.close();
        await srv.close();
      }
    });
  }
});

/** A data folder whose database holds 300 registrations, its server stopped. */
async function folderWithData(): Promise<{ readonly dataDir: string; readonly db: string }> {
  const srv = await startTestServer({ dataDir: await newFolder(), flags: { autoRegister: false } });
  const ws = await openRawSocket(srv.url, srv.caPem);
  try {
    for (let i = 0; i < 300; i++) assert.equal((await register(ws, `svc-${i}`)).error, undefined);
  } finally {
    await ws.close();
    await srv.close();
  }
  return { dataDir: srv.dataDir, db: join(srv.dataDir, 'registry.db') };
}

const damages = {
  'overwritten with garbage in one page': async (path: string) => {
    const handle = await open(path, 'r+');
    await handle.write(Buffer.alloc(4096, 0x41), 0, 4096, 4096 * 3);
    await handle.close();
  },
  'truncated to half its size': async (path: string) => truncate(path, Math.floor((await stat(path)).size / 2)),
  'truncated to 0 bytes': async (path: string) => truncate(path, 0),
} as const;

describe('a damaged database at start', () => {
  let source: { readonly dataDir: string; readonly db: string } | undefined;
  const pristine = async (): Promise<string> => {
    source ??= await folderWithData();
    const dataDir = await newFolder();
    await copyFile(source.db, join(dataDir, 'registry.db'));
    return dataDir;
  };

  for (const [how, damage] of Object.entries(damages)) {
    it(`stops serve with the reason when the file is ${how}, and leaves the file as it is`, async () => {
      const dataDir = await pristine();
      const db = join(dataDir, 'registry.db');
      await damage(db);
      const bytes = await readFile(db);
      const env = { HOME: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config') };
      const exit = await spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], env).exited;
      assert.equal(exit.code, EXIT.unavailable, exit.stderr);
      const reason = how === 'truncated to 0 bytes' ? 'is empty \\(0 bytes\\): it was truncated' : 'is damaged \\(.+\\): restore it from a backup';
      assert.match(exit.stderr, new RegExp(`^error \\[unavailable\\]: the SQLite database ${db} ${reason}`));
      assert.equal(exit.stderr.split('\n').length, 2, 'one line, no stack trace');
      assert.deepEqual(await readFile(db), bytes, 'the damaged file was not replaced');
    });
  }

  it('refuses a missing database whose write-ahead log is still there', async () => {
    const dataDir = await newFolder();
    await (await open(join(dataDir, 'registry.db-wal'), 'w')).writeFile(Buffer.alloc(8192, 1));
    const srv = startTestServer({ dataDir });
    await assert.rejects(srv, { code: 'unavailable', message: new RegExp(`the SQLite database ${join(dataDir, 'registry.db')} is missing but its write-ahead log`) });
    await assert.rejects(stat(join(dataDir, 'registry.db')), { code: 'ENOENT' });
  });
});
