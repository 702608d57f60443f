import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { runCaptured, spawnCli } from '../helpers/cli.js';
import { type HttpTarget, type ServerWithTarget, startServerWithTarget } from '../helpers/health-targets.js';
import type { TestServer } from '../helpers/test-server.js';

/** What a hostile target answers: an escape sequence that would recolour and retitle the terminal. */
const HOSTILE = 'down\u001b[31m red\u001b]0;owned\u0007\r';

describe('registry checks, health and watch', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let target: HttpTarget;
  const flags = () => ['--url', srv.url, '--ca', join(srv.dataDir, 'tls', 'ca.pem')];
  let fixture: ServerWithTarget;
  before(async () => {
    fixture = await startServerWithTarget();
    ({ srv, client, target } = fixture);
  });
  after(() => fixture.close());

  it('lists checks with kind, status, output and since, with the output’s control characters escaped', async () => {
    const since = (await client.status()).revision + 1;
    const watch = spawnCli([...flags(), 'watch', '--since', String(since), '--events', 'HealthChanged'], {});
    try {
      target.answer(500, HOSTILE);
      await client.register({ name: 'shop', host: '127.0.0.1', port: target.port, ttl: 60, checks: [{ name: 'http', kind: 'http', url: `${target.url}/`, interval: 1, failures_before_critical: 1, initial_status: 'passing' }] });
      const line = await watch.waitForLine(/HealthChanged\s+shop/, 15_000);
      assert.match(line, /shop http passing → critical \(not served\): HTTP GET .*: 500 Internal Server Error; body: down\\x1b\[31m red\\x1b\]0;owned\\x07\\r/);
      assert.ok(!line.includes('\u001b'), 'no raw escape reaches the terminal');
    } finally {
      await watch.close();
    }
    const listed = await runCaptured([...flags(), 'checks', 'shop'], { env: {} });
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^SERVICE\s+CHECK\s+KIND\s+STATUS\s+OUTPUT\s+SINCE$/);
    assert.match(lines[1] ?? '', /^shop\s+ttl\s+ttl\s+passing\s+last sign of life \d+s ago/);
    assert.match(lines[2] ?? '', /^shop\s+http\s+http\s+critical\s+HTTP GET .*body: down\\x1b\[31m/);
    assert.ok(!listed.stdout.includes('\u001b'));
  });

  it('shows one service’s health: worst-of status, whether it is served, the reason and each check', async () => {
    const result = await runCaptured([...flags(), 'health', 'shop'], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^service:\s+shop$/m);
    assert.match(result.stdout, /^status:\s+critical$/m);
    assert.match(result.stdout, /^served:\s+no \(discovery leaves it out\)$/m);
    assert.match(result.stdout, /^reason:\s+http: HTTP GET/m);
    assert.ok(!result.stdout.includes('\u001b'));
    const json = await runCaptured([...flags(), '--json', 'health', 'shop'], { env: {} });
    const report = JSON.parse(json.stdout) as { status: string; checks: { name: string; output: string }[] };
    assert.equal(report.status, 'critical');
    assert.ok(report.checks.find((c) => c.name === 'http')?.output.includes('\u001b'), '--json keeps the text as it is (JSON escapes it)');
  });

  it('status says how many checks this server runs, on how many shards', async () => {
    const result = await runCaptured([...flags(), 'status'], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^checks:\s+1 on 64 shards, p99 [\d.]+ ms late$/m);
  });

  it('answers not_found (exit 3) for an unknown service', async () => {
    const result = await runCaptured([...flags(), 'health', 'nobody'], { env: {} });
    assert.equal(result.code, 3);
  });
});
