/** `registry members` as people read it, and the runs its SHARDS column shows. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shardRuns } from '../../src/cli/commands/cluster.js';
import { EXIT } from '../../src/cli/index.js';
import { runCaptured } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('shardRuns', () => {
  it('writes shard numbers as sorted runs', () => {
    assert.equal(shardRuns([5, 0, 1, 2, 9, 7, 8]), '0-2,5,7-9');
    assert.equal(shardRuns([]), '-');
  });
});

describe('registry members', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
    await writeFile(join(srv.dataDir, 'ca.pem'), srv.caPem ?? '');
  });
  after(() => srv.close());

  it('shows this server alone on SQLite: live, sweeping, every shard, the same settings', async () => {
    const result = await runCaptured(['--url', srv.url, '--ca', join(srv.dataDir, 'ca.pem'), 'members'], { env: {}, cwd: srv.dataDir });
    assert.equal(result.code, EXIT.ok, result.stderr);
    const [header, row, ...rest] = result.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^ADDRESS\s+HOST\s+STATE\s+REVISION\s+LAG\s+SWEEPS\s+SHARDS\s+LAST SEEN\s+SETTINGS$/);
    assert.deepEqual(rest, []);
    // Last seen is the heartbeat's whole second, so a second boundary between it and now reads `1s ago`.
    assert.match(row ?? '', new RegExp(`^\\* ${srv.url.replaceAll('.', '\\.')}\\s+\\S+\\s+live\\s+\\d+\\s+0\\s+yes\\s+0-63\\s+(now|\\d+s ago)\\s+same$`));
  });
});
