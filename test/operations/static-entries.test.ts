/**
 * The static entries a server keeps in line with its environment and its file: `REGISTRY_BACKENDS`
 * (`source = env`) beside `[[backend]]` (`file`) and the auto `plexus`, under runtime registrations.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const FILE = '[[backend]]\nname = "hub1"\nhost = "10.0.0.1"\nport = 4444\n\n[[backend]]\nname = "hub3"\nhost = "10.0.0.3"\nport = 4444\n';
const ENV = { REGISTRY_BACKENDS: 'hub1=wss://10.9.0.1:4443,hub2=ws://[fd00::2]:4444,hub4=ws://hub4.lan:4444' };

type Row = { readonly name: string; readonly host: string; readonly port: number; readonly protocol: string; readonly source: string };

describe('static entries: the environment beside the file', () => {
  let dataDir: string;
  let srv: TestServer | undefined;

  const rows = async (server: TestServer): Promise<Row[]> => {
    const client = await RegistryClient.connect(server.url, { ca: server.caPem ?? '' });
    try {
      const services = (await client.listServices({})) as unknown as Row[];
      return services.map(({ name, host, port, protocol, source }) => ({ name, host, port, protocol, source })).sort((a, b) => a.name.localeCompare(b.name));
    } finally {
      await client.close();
    }
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-env-'));
  });
  after(async () => {
    await srv?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers REGISTRY_BACKENDS with source env, over a file entry of the same name', async () => {
    srv = await startTestServer({ dataDir, configText: FILE, env: ENV, flags: { autoRegister: false } });
    assert.deepEqual(await rows(srv), [
      { name: 'hub1', host: '10.9.0.1', port: 4443, protocol: 'wss', source: 'env' },
      { name: 'hub2', host: 'fd00::2', port: 4444, protocol: 'ws', source: 'env' },
      { name: 'hub3', host: '10.0.0.3', port: 4444, protocol: 'ws', source: 'file' },
      { name: 'hub4', host: 'hub4.lan', port: 4444, protocol: 'ws', source: 'env' },
    ]);
  });

  it('yields to a runtime registration, which takes the name over for good', async () => {
    assert.ok(srv !== undefined);
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem ?? '' });
    try {
      await client.register({ name: 'hub2', host: '10.0.0.22', port: 5000 });
      await client.reload();
    } finally {
      await client.close();
    }
    const hub2 = (await rows(srv)).find((r) => r.name === 'hub2');
    assert.deepEqual(hub2, { name: 'hub2', host: '10.0.0.22', port: 5000, protocol: 'ws', source: 'manual' });
  });

  it('removes env entries a restart no longer has in its environment; the file entry comes back', async () => {
    await srv?.close();
    srv = await startTestServer({ dataDir, configText: FILE, env: { REGISTRY_BACKENDS: 'hub4=ws://hub4.lan:4444' }, flags: { autoRegister: false } });
    assert.deepEqual(
      (await rows(srv)).map((r) => `${r.name} ${r.source} ${r.host}`),
      ['hub1 file 10.0.0.1', 'hub2 manual 10.0.0.22', 'hub3 file 10.0.0.3', 'hub4 env hub4.lan'],
    );
  });
});
