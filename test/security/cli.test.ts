import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { certificateFingerprint } from '../../src/server/index.js';
import { runCaptured } from '../helpers/cli.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket, startConfiguredServer } from './support.js';

describe('registry token and cert commands', () => {
  let srv: TestServer;
  let out: string;
  let env: Record<string, string>;
  let target: string[];
  const run = (...argv: string[]) => runCaptured([...target, ...argv], { env, cwd: out });

  before(async () => {
    srv = await startConfiguredServer('');
    out = await mkdtemp(join(tmpdir(), 'registry-cli-certs-'));
    env = { HOME: srv.dataDir, XDG_CONFIG_HOME: join(srv.dataDir, 'config') };
    target = ['--url', srv.url, '--data-dir', srv.dataDir, '--config', srv.configPath];
  });
  after(async () => {
    await srv?.close();
    await rm(out, { recursive: true, force: true });
  });

  it('creates a token, prints its secret alone on stdout, lists it without the secret and revokes it', async () => {
    const created = await run('token', 'create', '--role', 'write', '--name', 'ci');
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.trim();
    assert.match(secret, /^srg_\S+$/);
    assert.match(created.stderr, /only time its secret is shown/);
    const listed = await run('token', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ci\s+write\s+\d{4}-/m);
    assert.ok(!listed.stdout.includes(secret));
    const status = await runCaptured([...target, '--token', secret, '--json', 'status'], { env, cwd: out });
    assert.equal(status.code, 0, status.stderr);
    const revoked = await run('token', 'revoke', 'ci');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, "revoked token 'ci'\n");
    const refused = await runCaptured([...target, '--token', secret, 'status'], { env, cwd: out });
    assert.equal(refused.code, 4, 'a revoked token is refused (exit 4: denied)');
    assert.match(refused.stderr, /error \[unauthorized\].*not known/);
  });

  it('rejects a role outside read, write and admin as a usage error', async () => {
    const result = await run('token', 'create', '--role', 'root', '--name', 'x');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Allowed choices are read, write, admin/);
  });

  it('issues a client certificate whose key is private and whose role the server honours', async () => {
    const issued = await run('--json', 'cert', 'issue-client', 'deployer', '--role', 'write', '--out', out);
    assert.equal(issued.code, 0, issued.stderr);
    const result = JSON.parse(issued.stdout) as { cert_path: string; key_path: string; fingerprint: string; role: string };
    assert.equal(result.role, 'write');
    assert.equal((await stat(result.key_path)).mode & 0o777, 0o600);
    const [cert, key] = await Promise.all([readFile(result.cert_path, 'utf8'), readFile(result.key_path, 'utf8')]);
    assert.equal(certificateFingerprint(cert), result.fingerprint);
    const ws = await openSocket(srv.url, { ca: srv.caPem, cert, key });
    try {
      const status = await ws.call(envelope('s', 'status'));
      assert.equal(envelopeCode(status), undefined);
    } finally {
      await ws.close();
    }
  });

  it('refuses to overwrite an existing certificate or key file', async () => {
    const first = await run('cert', 'issue-client', 'twice', '--role', 'read', '--out', out);
    assert.equal(first.code, 0, first.stderr);
    const second = await run('cert', 'issue-client', 'twice', '--role', 'read', '--out', out);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /twice-key\.pem exists/);
  });
});
