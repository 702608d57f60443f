/**
 * mTLS with an operator's own CA (`[tls] client_ca`), from both client sides: RegistryClient's
 * `cert`/`key` options and the CLI's `--cert`/`--key` and `REGISTRY_CERT`/`REGISTRY_KEY`. The
 * PKI is made with openssl, a root and an issuing CA under it, as an operator would; loopback
 * grants nothing, so the role a caller holds is the one in its certificate's OU.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { EXIT } from '../../src/cli/index.js';
import { runCaptured } from '../helpers/cli.js';
import { OperatorPki, type Pair } from '../helpers/operator-pki.js';
import type { TestServer } from '../helpers/test-server.js';
import { startConfiguredServer } from '../security/support.js';

describe('client certificates of an operator’s own CA', () => {
  let dir: string;
  let pki: OperatorPki;
  let srv: TestServer;
  let writer: Pair;
  let stranger: Pair;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-operator-ca-'));
    await chmod(dir, 0o755);
    pki = new OperatorPki(dir);
    const root = await pki.ca('ops-root');
    const issuing = await pki.ca('ops-clients', 'ops-root');
    await pki.ca('other-root');
    writer = await pki.client('ops-writer', 'ops-clients', ['write']);
    await pki.client('ops-reader', 'ops-clients', ['read']);
    stranger = await pki.client('stranger', 'other-root', ['admin']);
    const bundle = join(dir, 'client-ca.pem');
    await writeFile(bundle, `${issuing.cert}${root.cert}`);
    srv = await startConfiguredServer(`[auth]\nloopback_role = "none"\n\n[tls]\nclient_ca = "${bundle}"\n`);
  });
  after(async () => {
    await srv?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const connect = (options: Parameters<typeof RegistryClient.connect>[1]) => RegistryClient.connect(srv.url, { ca: srv.caPem, ...options });
  const cli = (argv: readonly string[], env: Record<string, string> = {}) =>
    runCaptured(['--url', srv.url, '--data-dir', srv.dataDir, ...argv], { env: { HOME: dir, ...env }, cwd: dir });

  it('RegistryClient holds the role in the OU of a certificate given as PEM', async () => {
    const client = await connect({ cert: writer.cert, key: writer.key });
    try {
      assert.equal((await client.status()).role, 'write');
      assert.equal((await client.register({ name: 'ops-registered', host: '10.0.0.9', port: 4444 })).created, true);
      await assert.rejects(client.reload(), { name: 'RegistryError', code: 'forbidden' });
    } finally {
      await client.close();
    }
  });

  it('RegistryClient holds the role of a certificate given as files', async () => {
    const client = await connect(pki.files('ops-reader'));
    try {
      assert.equal((await client.status()).role, 'read');
      await assert.rejects(client.register({ name: 'ops-denied', host: '10.0.0.9', port: 4444 }), { name: 'RegistryError', code: 'forbidden' });
    } finally {
      await client.close();
    }
  });

  it('RegistryClient is refused with a certificate of a CA the file does not hold', async () => {
    await assert.rejects(connect({ cert: stranger.cert, key: stranger.key }), { name: 'RegistryError', code: 'forbidden', message: /client certificate is refused/ });
  });

  it('the CLI presents --cert and --key, and REGISTRY_CERT and REGISTRY_KEY', async () => {
    const files = pki.files('ops-writer');
    const flagged = await cli(['--json', '--cert', files.certFile, '--key', files.keyFile, 'status']);
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.equal((JSON.parse(flagged.stdout) as { role: string }).role, 'write');
    const fromEnv = await cli(['register', 'ops-cli', '10.0.0.9', '4444'], { REGISTRY_CERT: files.certFile, REGISTRY_KEY: files.keyFile });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, /^registered ops-cli at 10\.0\.0\.9:4444/);
    const relative = await cli(['--json', '--cert', 'ops-reader.pem', '--key', 'ops-reader.key', 'status']);
    assert.equal((JSON.parse(relative.stdout) as { role: string }).role, 'read');
  });

  it('the CLI is denied (exit 4) with a certificate of a CA the file does not hold', async () => {
    const files = pki.files('stranger');
    const result = await cli(['--cert', files.certFile, '--key', files.keyFile, 'status']);
    assert.equal(result.code, EXIT.denied);
    assert.match(result.stderr, /^error \[forbidden\]: .*client certificate is refused/);
  });
});
