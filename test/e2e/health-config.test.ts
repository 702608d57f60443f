import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { startHttpTarget } from '../helpers/health-targets.js';
import { eventually } from '../helpers/log-capture.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

async function withDataDir(body: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-health-e2e-'));
  await chmod(dataDir, 0o755);
  try {
    await body(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('health checks across a restart and from the configuration file', () => {
  it('keeps check definitions and statuses across a restart, and runs them again', async () => {
    await withDataDir(async (dataDir) => {
      const first = await startTestServer({ dataDir });
      let before;
      try {
        const client = await RegistryClient.connect(first.url, { ca: first.caPem });
        await client.register({ name: 'db', host: '127.0.0.1', port: 9, checks: [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: 9, interval: 1, failures_before_critical: 1, initial_status: 'passing' }] });
        before = await eventually(async () => {
          const check = (await client.getHealth({ name: 'db' })).checks.find((c) => c.name === 'tcp');
          return check?.status === 'critical' ? check : undefined;
        }, 15_000, 'db turns critical');
        await client.close();
      } finally {
        await first.close();
      }
      const second = await startTestServer({ dataDir });
      try {
        const client = await RegistryClient.connect(second.url, { ca: second.caPem });
        const after = (await client.getHealth({ name: 'db' })).checks.find((c) => c.name === 'tcp');
        assert.deepEqual(after, before, 'the definition, status, output and since survive');
        assert.equal((await client.status()).health?.checks, 1, 'the restarted server runs it');
        await client.close();
      } finally {
        await second.close();
      }
    });
  });

  it('runs [[backend.check]] tables of the configuration file, and a reload that drops them removes the check', async () => {
    const target = await startHttpTarget();
    await withDataDir(async (dataDir) => {
      const configPath = join(dataDir, 'backends.toml');
      const backend = `[[backend]]\nname = "hub"\nhost = "127.0.0.1"\nport = ${target.port}\n`;
      await writeFile(configPath, `${backend}\n[[backend.check]]\nname = "http"\nkind = "http"\nurl = "${target.url}/health"\ninterval = "1s"\n`);
      const srv = await startTestServer({ dataDir, flags: { autoRegister: false } });
      const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
      try {
        await eventually(async () => ((await client.getHealth({ name: 'hub' })).status === 'passing' ? true : undefined), 15_000, 'the file check passes');
        assert.equal((await client.resolve({ service: 'hub' })).port, target.port);
        await writeFile(configPath, backend);
        await client.reload();
        assert.deepEqual((await client.listChecks({ service: 'hub' })).map((row) => row.name), []);
      } finally {
        await client.close();
        await srv.close();
        await target.close();
      }
    });
  });
});

describe('HealthChanged in every dialect', () => {
  it('carries service, check, from, to and output as snake_case data in the envelope, JSON-RPC and the hub call', async () => {
    const srv = await startTestServer();
    const sockets: RawSocket[] = [];
    try {
      const open = async (): Promise<RawSocket> => {
        const socket = await openRawSocket(srv.url, srv.caPem);
        sockets.push(socket);
        return socket;
      };
      const [envelope, jsonrpc, hub] = [await open(), await open(), await open()];
      envelope.send({ id: 's', type: 'request', action: 'subscribe', params: { events: ['HealthChanged'] } });
      jsonrpc.send({ jsonrpc: '2.0', id: 1, method: 'registry.subscribe', params: { events: ['HealthChanged'] } });
      hub.send({ jsonrpc: '2.0', id: 1, method: 'registry-hub.call', params: { method: 'registry.subscribe', params: { events: ['HealthChanged'] } } });
      await envelope.next();
      await jsonrpc.next();
      await hub.take(2);
      const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
      await client.register({ name: 'edge', host: '127.0.0.1', port: 9, checks: [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: 9, interval: 1, failures_before_critical: 1, initial_status: 'passing' }] });
      await client.close();
      const dataOf = {
        envelope: (frame: Obj) => frame.data as Obj,
        jsonrpc: (frame: Obj) => ((frame.params as Obj).result as Obj).data as Obj,
        hub: (frame: Obj) => ((((frame.params as Obj).result as Obj).content as Obj).data as Obj),
      };
      for (const [name, socket] of [['envelope', envelope], ['jsonrpc', jsonrpc], ['hub', hub]] as const) {
        const data = dataOf[name](await socket.next(15_000));
        assert.equal((data.service as Obj).name, 'edge', name);
        assert.deepEqual([data.check, data.from, data.to, data.active], ['tcp', 'passing', 'critical', false], name);
        assert.match(String(data.output), /ECONNREFUSED/, name);
      }
    } finally {
      for (const socket of sockets) await socket.close();
      await srv.close();
    }
  });
});
