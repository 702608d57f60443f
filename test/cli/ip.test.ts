import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCaptured } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('registry networks and registry ip', () => {
  let dataDir = '';
  let srv: TestServer;
  let run: (...argv: string[]) => ReturnType<typeof runCaptured>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-cli-ip-'));
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, 'backends.toml'), '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.66.0.0/30"\n');
    srv = await startTestServer({ dataDir });
    const env = { HOME: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config') };
    run = (...argv) => runCaptured(['--url', srv.url, '--data-dir', dataDir, ...argv], { env });
  });
  after(async () => {
    await srv.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the networks as a table', async () => {
    const result = await run('networks');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^NAME +KIND +CIDR +GATEWAY +CAPACITY +ALLOCATED +AVAILABLE\nwg0 +wireguard +10\.66\.0\.0\/30 +- +2 +0 +2\n$/);
  });

  it('allocates, lists and releases, and exits 1 with network_exhausted on a full network', async () => {
    const first = await run('--json', 'ip', 'allocate', 'wg0', 'peer-a');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).address, '10.66.0.1');
    assert.match((await run('ip', 'allocate', 'wg0', 'peer-b', '--ip', '10.66.0.2')).stdout, /^allocated: 10\.66\.0\.2 in wg0 for peer-b\n$/);
    const full = await run('ip', 'allocate', 'wg0', 'peer-c');
    assert.equal(full.code, 1);
    assert.match(full.stderr, /^error \[network_exhausted\]: network wg0 \(10\.66\.0\.0\/30\) has no free address left/);
    assert.match((await run('ip', 'list')).stdout, /wg0 +10\.66\.0\.1 +peer-a +\d{4}-/);
    assert.match((await run('ip', 'release', 'wg0', '--ip', '10.66.0.1')).stdout, /^released 10\.66\.0\.1 in wg0 \(held by peer-a\)\n$/);
    assert.equal((await run('ip', 'release', 'wg0', 'peer-a')).code, 3);
  });

  it('exits 2 when release names both an owner and an address', async () => {
    const result = await run('ip', 'release', 'wg0', 'peer-b', '--ip', '10.66.0.2');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /give exactly one of <owner> or --ip/);
  });
});
