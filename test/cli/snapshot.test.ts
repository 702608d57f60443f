/**
 * `registry snapshot save` and `registry snapshot restore`: a consistent export of a running
 * server's whole state, restored into an empty PostgreSQL database and from there into a new
 * SQLite file, reproduces every record and the revision (and a restored token still works, an
 * expiring one keeping its expiry).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { EXIT } from '../../src/cli/index.js';
import { openStore, snapshotDocument } from '../../src/store/index.js';
import { runCaptured } from '../helpers/cli.js';
import { requirePeer } from '../helpers/peers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { freePort, keygen } from '../helpers/sshd.js';
import { makePackage } from '../deploy/support.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

/** The records and the revision of a snapshot document, without the time it was taken. */
const recordsOf = (doc: unknown): Obj => {
  const { taken_at: _takenAt, ...rest } = JSON.parse(JSON.stringify(doc)) as Obj;
  return rest;
};

/** The snapshot document of the store at `location`, read by opening it (no server on it). */
async function storeDocument(location: string): Promise<Obj> {
  const store = await openStore({ location });
  try {
    return recordsOf(snapshotDocument(store.snapshot(), Date.now()));
  } finally {
    await store.close();
  }
}

describe('registry snapshot save and restore', () => {
  let work = '';
  let srv: TestServer | undefined;
  let env: Record<string, string>;
  let tokenSecret = '';
  const cli = (...argv: string[]) => runCaptured(argv, { env, cwd: work });
  const toServer = (...argv: string[]) => cli('--url', srv?.url ?? '', '--ca', join(work, 'ca.pem'), ...argv);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-snapshot-'));
    await chmod(work, 0o755);
    env = { HOME: work, XDG_CONFIG_HOME: join(work, 'config') };
    const dataDir = join(work, 'data');
    await mkdir(dataDir);
    const hostKey = await keygen(join(work, 'host'));
    await keygen(join(work, 'client'));
    const network = ['[[network]]', 'name = "wg0"', 'kind = "wireguard"', 'cidr = "10.70.0.0/24"'];
    // A node nobody answers on: a deployment to it fails at connect, and the log keeps its record.
    const node = ['[[node]]', 'name = "gone"', 'host = "127.0.0.1"', `ssh_port = ${await freePort()}`, 'ssh_user = "nobody"'];
    node.push(`ssh_key = "${join(work, 'client')}"`, `host_key = "${hostKey}"`, `install_dir = "${join(work, 'opt')}"`);
    await writeFile(join(dataDir, 'backends.toml'), [...network, '', ...node, ''].join('\n'));
    srv = await startTestServer({ dataDir });
    await writeFile(join(work, 'ca.pem'), srv.caPem ?? '');
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      await client.register({ name: 'hub', host: '10.0.0.5', port: 4444, checks: [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: 1, interval: '1h' }] });
      await client.call('register_service', { name: 'api', endpoints: [{ name: 'http', port: 8080 }], allocate: ['wg0'] });
      for (const owner of ['laptop', 'phone', 'tablet']) await client.allocateIp({ network: 'wg0', owner });
      await client.releaseIp({ network: 'wg0', owner: 'phone' });
      tokenSecret = (await client.call('token_create', { name: 'ci', role: 'read' })).token;
      await client.call('token_create', { name: 'brief', role: 'read', ttl: 3600 });
      const pkg = await makePackage(work, { version: '1.0.0', port: await freePort() });
      await assert.rejects(client.call('deploy_package', { package_path: pkg, target_node: 'gone' }), /connect/);
    } finally {
      await client.close();
    }
  });

  after(async () => {
    await srv?.close();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('reproduces every record and the revision from SQLite to PostgreSQL and back to SQLite', { timeout: 120_000 }, async (t) => {
    if (!requirePeer(t, postgres !== undefined, started.ok ? '' : started.reason) || postgres === undefined) return;
    const saved = await toServer('snapshot', 'save', 'first.json');
    assert.equal(saved.code, EXIT.ok, saved.stderr);
    assert.match(saved.stdout, /^saved revision \d+ to .*first\.json: 3 services, 1 deployments, 3 allocations, 2 tokens$/m);
    assert.equal((await stat(join(work, 'first.json'))).mode & 0o777, 0o600, 'it holds token hashes: its owner alone reads it');
    const first = JSON.parse(await readFile(join(work, 'first.json'), 'utf8')) as Obj;
    assert.equal(first.format, 'service-registry-snapshot');
    assert.ok(Number(first.revision) > 0);
    const tokens = first.tokens as Obj[];
    assert.deepEqual(tokens.map((token) => Object.keys(token).sort()), [['createdAt', 'hash', 'name', 'role', 'expiresAt'].sort(), ['createdAt', 'hash', 'name', 'role']]);
    assert.equal(Number(tokens[0]?.expiresAt) - Number(tokens[0]?.createdAt), 3_600_000, 'the expiring token carries its expiry; the other none');

    const url = await postgres.createDatabase();
    const intoPostgres = await cli('snapshot', 'restore', 'first.json', '--store', url, '--json');
    assert.equal(intoPostgres.code, EXIT.ok, intoPostgres.stderr);
    assert.equal((JSON.parse(intoPostgres.stdout) as Obj).revision, first.revision);
    const onPostgres = await storeDocument(url);
    assert.deepEqual(onPostgres, recordsOf(first), 'PostgreSQL holds every record at the revision');

    await writeFile(join(work, 'second.json'), JSON.stringify({ ...onPostgres, taken_at: 0 }));
    const back = join(work, 'back.db');
    const intoSqlite = await cli('snapshot', 'restore', 'second.json', '--store', back);
    assert.equal(intoSqlite.code, EXIT.ok, intoSqlite.stderr);
    assert.match(intoSqlite.stdout, /^revision:\s+\d+$/m);
    assert.deepEqual(await storeDocument(back), recordsOf(first), 'and so does the new SQLite file');

    // A server on the restored file serves the records, and the token's secret still opens it.
    const restored = await startTestServer({ flags: { storeUrl: back, autoRegister: false }, configText: '[auth]\nloopback_role = "none"\n' });
    try {
      const client = await RegistryClient.connect(restored.url, { ca: restored.caPem, token: tokenSecret });
      try {
        const status = await client.status();
        assert.ok(status.revision >= Number(first.revision), 'it goes on from the revision');
        assert.equal(status.role, 'read', 'the role of the token, whose hash was restored');
        const [api] = (first.services as Obj[]).filter((s) => s.name === 'api');
        assert.equal((await client.getService({ name: 'api' })).id, api?.id);
        assert.deepEqual((await client.listAllocations({ network: 'wg0' })).map((a) => a.owner).sort(), ['api', 'laptop', 'tablet']);
      } finally {
        await client.close();
      }
    } finally {
      await restored.close();
    }
  });

  it('refuses a store that holds anything, and a file that is not a snapshot, and changes neither', async () => {
    const saved = await toServer('snapshot', 'save', 'third.json');
    assert.equal(saved.code, EXIT.ok, saved.stderr);
    const used = join(work, 'used.db');
    assert.equal((await cli('snapshot', 'restore', 'third.json', '--store', used)).code, EXIT.ok);
    const again = await cli('snapshot', 'restore', 'third.json', '--store', used);
    assert.notEqual(again.code, EXIT.ok);
    assert.match(again.stderr, /the store is not empty \(revision \d+, 3 services\): a snapshot is restored into an empty store only/);
    await writeFile(join(work, 'other.json'), JSON.stringify({ format: 'something-else' }));
    const fresh = join(work, 'fresh.db');
    const refused = await cli('snapshot', 'restore', 'other.json', '--store', fresh);
    assert.match(refused.stderr, /invalid snapshot: format: must be "service-registry-snapshot"/);
    await assert.rejects(stat(fresh), 'a bad file makes no store');
    const broken = JSON.parse(await readFile(join(work, 'third.json'), 'utf8')) as Obj;
    await writeFile(join(work, 'broken.json'), JSON.stringify({ ...broken, allocations: [{ network: 'wg0' }] }));
    assert.match((await cli('snapshot', 'restore', 'broken.json', '--store', fresh)).stderr, /invalid snapshot: allocations\.0\.address/);
  });
});
