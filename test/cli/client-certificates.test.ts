/**
 * `registry --cert/--key` and `REGISTRY_CERT`/`REGISTRY_KEY`: the CLI presents a certificate made
 * by `registry cert issue-client`, on a server where loopback grants nothing, so the role a command
 * holds is the one in the certificate's OU.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import { runCaptured, spawnCli } from '../helpers/cli.js';
import type { TestServer } from '../helpers/test-server.js';
import { startConfiguredServer } from '../security/support.js';

describe('registry --cert and --key', () => {
  let srv: TestServer;
  let out: string;
  let env: Record<string, string>;
  let target: string[];
  const run = (argv: readonly string[], extraEnv: Record<string, string> = {}) => runCaptured([...target, ...argv], { env: { ...env, ...extraEnv }, cwd: out });

  before(async () => {
    srv = await startConfiguredServer('[auth]\nloopback_role = "none"\n');
    out = await mkdtemp(join(tmpdir(), 'registry-cli-mtls-'));
    env = { HOME: out, XDG_CONFIG_HOME: join(out, 'config') };
    target = ['--url', srv.url, '--data-dir', srv.dataDir];
    for (const [name, role] of [['reader', 'read'], ['writer', 'write']] as const) {
      const issued = await run(['cert', 'issue-client', name, '--role', role, '--out', out]);
      assert.equal(issued.code, 0, issued.stderr);
    }
  });
  after(async () => {
    await srv?.close();
    await rm(out, { recursive: true, force: true });
  });

  const role = async (argv: readonly string[], extraEnv: Record<string, string> = {}): Promise<string> => {
    const result = await run(['--json', ...argv, 'status'], extraEnv);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { role: string }).role;
  };

  it('presents the certificate of --cert and --key and holds its role', async () => {
    assert.equal(await role(['--cert', join(out, 'writer.pem'), '--key', join(out, 'writer-key.pem')]), 'write');
    const registered = await run(['--cert', join(out, 'writer.pem'), '--key', join(out, 'writer-key.pem'), 'register', 'mtls-cli', '10.0.0.5', '4444']);
    assert.equal(registered.code, 0, registered.stderr);
  });

  it('reads relative paths from the folder it runs in', async () => {
    assert.equal(await role(['--cert', 'reader.pem', '--key', 'reader-key.pem']), 'read');
  });

  it('takes REGISTRY_CERT and REGISTRY_KEY from the environment, and the flags over them', async () => {
    const fromEnv = { REGISTRY_CERT: join(out, 'reader.pem'), REGISTRY_KEY: join(out, 'reader-key.pem') };
    assert.equal(await role([], fromEnv), 'read');
    assert.equal(await role(['--cert', join(out, 'writer.pem'), '--key', join(out, 'writer-key.pem')], fromEnv), 'write');
    const denied = await run(['register', 'mtls-env', '10.0.0.5', '4444'], fromEnv);
    assert.equal(denied.code, EXIT.denied);
    assert.match(denied.stderr, /^error \[forbidden\]: /);
  });

  it('presents it from the real executable too', async () => {
    const child = spawnCli(['--url', srv.url, '--data-dir', srv.dataDir, '--json', 'status'], { ...env, REGISTRY_CERT: join(out, 'writer.pem'), REGISTRY_KEY: join(out, 'writer-key.pem') }, out);
    const result = await child.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { role: string }).role, 'write');
  });

  it('is unauthorized without a certificate, and a usage error with a key of another certificate', async () => {
    const none = await run(['status']);
    assert.equal(none.code, EXIT.denied);
    assert.match(none.stderr, /^error \[unauthorized\]: /);
    const mismatched = await run(['--cert', join(out, 'reader.pem'), '--key', join(out, 'writer-key.pem'), 'status']);
    assert.equal(mismatched.code, EXIT.usage);
    assert.match(mismatched.stderr, /^error \[invalid_argument\]: the client certificate and key cannot be used together/);
    const missing = await run(['--cert', join(out, 'nobody.pem'), 'status']);
    assert.equal(missing.code, EXIT.usage);
    assert.match(missing.stderr, /cannot read the client certificate file .*nobody\.pem/);
  });
});
