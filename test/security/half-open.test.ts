/**
 * Connections that never start TLS, and the files a local user could read: raw TCP sockets against
 * a real server, and the modes of the files it really made.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket, refusalOf, startConfiguredServer } from './support.js';

const rawTcp = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });

const closedBy = (socket: Socket): Promise<void> => new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('TCP connections that never start TLS', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startConfiguredServer('[limits]\nmax_connections = 4\nhandshake_timeout = 1\n');
  });
  after(() => srv?.close());

  it('count against max_connections: a real client is refused while they hold every place', async () => {
    const idle = await Promise.all(Array.from({ length: 4 }, () => rawTcp(srv.server.port)));
    try {
      const refused = await refusalOf(srv.url, { ca: srv.caPem });
      assert.equal(refused.status, 503);
      assert.match(refused.body, /limit of 4 connections/);
    } finally {
      for (const socket of idle) socket.destroy();
    }
    const again = await eventually(async () => openSocket(srv.url, { ca: srv.caPem }).catch(() => undefined), 10_000, 'a free place');
    assert.equal(envelopeCode(await again.call(envelope('s', 'status'))), undefined);
    await again.close();
  });

  it('are closed by the server after the handshake timeout', async () => {
    const idle = await Promise.all(Array.from({ length: 2 }, () => rawTcp(srv.server.port)));
    idle.forEach((socket) => socket.on('error', () => undefined));
    // handshake_timeout = 1 s here; Node's own default is 120 s.
    await Promise.race([
      Promise.all(idle.map(closedBy)),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the server kept connections that never started TLS')), 30_000).unref()),
    ]);
  });
});

describe('file modes of the data folder', () => {
  let parent: string;
  let srv: TestServer;
  before(async () => {
    parent = await mkdtemp(join(tmpdir(), 'registry-modes-'));
    await chmod(parent, 0o755);
  });
  after(async () => {
    await srv?.close();
    await rm(parent, { recursive: true, force: true });
  });

  it('makes the data folder 0700 and registry.db with its WAL files 0600, tightening a looser folder', async () => {
    const dataDir = join(parent, 'data');
    srv = await startTestServer({ dataDir: parent });
    await srv.close();
    srv = await startTestServer({ flags: { dataDir } });
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    await ws.call(envelope('r', 'register', { name: 'x', host: '10.0.0.1', port: 1 }));
    await ws.close();
    const mode = async (path: string): Promise<string> => ((await stat(path)).mode & 0o777).toString(8);
    assert.equal(await mode(parent), '700', 'an existing 0755 data folder is tightened');
    assert.equal(await mode(dataDir), '700');
    // The store holds its file exclusively, so SQLite keeps no -shm file: the database and its log are what there is.
    for (const file of ['registry.db', 'registry.db-wal']) assert.equal(await mode(join(dataDir, file)), '600', file);
    await assert.rejects(stat(join(dataDir, 'registry.db-shm')), 'no shared-memory file beside the database');
    assert.equal(await mode(join(parent, 'registry.db')), '600', 'the database of the first server, closed since');
  });
});
