import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { CommitGate, overrideSqliteTuning, sqliteDiagnostics } from '../../src/store/internal.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** A server whose SQLite store commits through `gate`, and that store, for the test's probes. */
async function startGatedServer(gate: CommitGate, dataDir?: string): Promise<{ srv: TestServer; store: () => Store }> {
  let opened: Store | undefined;
  const restore = overrideSqliteTuning({ commitGate: gate.buffer, onOpen: (store) => (opened = store) });
  try {
    const srv = await startTestServer(dataDir === undefined ? {} : { dataDir });
    return {
      srv,
      store: () => {
        assert.ok(opened, 'the server opened its store through the override');
        return opened;
      },
    };
  } finally {
    restore();
  }
}

/** The WebSocket heartbeat: a ping frame the server answers with a pong, from its event loop. */
async function heartbeat(url: string, ca: string | undefined): Promise<void> {
  const raw = await openRawSocket(url, ca);
  try {
    const pong = new Promise<void>((resolve) => raw.socket.once('pong', () => resolve()));
    raw.socket.ping();
    await pong;
  } finally {
    await raw.close();
  }
}

describe('SQLite commit worker, seen from the server', () => {
  it('answers get_service, resolve, list_services and a heartbeat ping while a commit waits in the worker', async () => {
    const gate = new CommitGate({ open: true });
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-off-loop-'));
    const { srv } = await startGatedServer(gate, dataDir);
    const location = srv.config.storage.url;
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      await client.register({ name: 'api', host: '127.0.0.1', port: 8443 });
      const arrived = gate.shut();
      const held = client.register({ name: 'late', host: '127.0.0.1', port: 9000 });
      await gate.reached(arrived + 1);
      // A commit is now blocked inside the worker, before COMMIT: the event loop still answers.
      assert.equal((await client.getService({ name: 'api' })).name, 'api');
      assert.equal((await client.resolve({ service: 'api' })).port, 8443);
      assert.ok((await client.listServices()).some((service) => service.name === 'api'));
      await heartbeat(srv.url, srv.caPem);
      // The `ping` operation is a write: it queues behind the commit and is answered after it.
      const pinged = client.ping({ name: 'api' });
      gate.open();
      assert.equal((await held).service.name, 'late');
      assert.equal((await pinged).success, true);
    } finally {
      gate.open();
      await client.close();
      await srv.close();
    }
    try {
      const reopened = await openStore({ location });
      try {
        assert.equal(reopened.services.get('late')?.port, 9000);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('answers writes unavailable and keeps serving reads once the commit worker has died', async () => {
    const gate = new CommitGate({ open: true });
    const { srv, store } = await startGatedServer(gate);
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem, retries: 0 });
    try {
      await client.register({ name: 'api', host: '127.0.0.1', port: 8443 });
      const arrived = gate.shut();
      const pending = client.register({ name: 'lost', host: '127.0.0.1', port: 9000 });
      await gate.reached(arrived + 1);
      await sqliteDiagnostics(store()).terminateWorker();
      await assert.rejects(pending, { name: 'RegistryError', code: 'unavailable', message: /commit worker stopped/ });
      await assert.rejects(client.register({ name: 'later', host: '127.0.0.1', port: 9001 }), { code: 'unavailable', message: /restarted/ });
      assert.equal((await client.getService({ name: 'api' })).name, 'api');
      const listed = (await client.listServices()).map((service) => service.name);
      assert.ok(listed.includes('api') && !listed.includes('lost') && !listed.includes('later'), listed.join(', '));
      await heartbeat(srv.url, srv.caPem);
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
