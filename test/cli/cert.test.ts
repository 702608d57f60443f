/** `registry cert issue-client` on folders an operator got wrong: no CA there, an --out folder that is missing. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/index.js';
import { ensureLocalCa } from '../../src/server/index.js';
import { runCaptured } from '../helpers/cli.js';
import { pictureOf } from '../helpers/data-folder.js';

describe('cert issue-client', () => {
  let home: string;
  let env: Record<string, string>;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'registry-cert-cli-'));
    env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('refuses a data folder with no CA, naming the folder, and creates nothing', async () => {
    const dataDir = join(home, 'empty');
    const result = await runCaptured(['--data-dir', dataDir, 'cert', 'issue-client', 'ci', '--role', 'read', '--out', join(home, 'out')], { env, cwd: home });
    assert.equal(result.code, EXIT.notFound, result.stderr);
    assert.equal(
      result.stderr,
      `error [not_found]: no local CA in ${join(dataDir, 'tls')}: the server creates it at its first start with the data folder ${dataDir}; check --data-dir or --config\n`,
    );
    assert.equal(await pictureOf(dataDir), 'absent');
    assert.equal(await pictureOf(join(home, 'out')), 'absent');
  });

  it('creates a missing --out folder, as package build --out does', async () => {
    const dataDir = join(home, 'with-ca');
    await ensureLocalCa(dataDir);
    const out = join(home, 'certs', 'ci');
    const result = await runCaptured(['--data-dir', dataDir, '--json', 'cert', 'issue-client', 'ci', '--role', 'write', '--out', out], { env, cwd: home });
    assert.equal(result.code, EXIT.ok, result.stderr);
    const { cert_path: certPath, key_path: keyPath } = JSON.parse(result.stdout) as { cert_path: string; key_path: string };
    assert.equal(certPath, join(out, 'ci.pem'));
    assert.match(await readFile(certPath, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.equal((await stat(keyPath)).mode & 0o777, 0o600);
  });

  it('answers a usage error when --out names a file', async () => {
    const dataDir = join(home, 'with-ca');
    const result = await runCaptured(['--data-dir', dataDir, 'cert', 'issue-client', 'x', '--role', 'read', '--out', join(dataDir, 'tls', 'ca.pem')], { env, cwd: home });
    assert.equal(result.code, EXIT.usage, result.stderr);
    assert.match(result.stderr, /^error \[invalid_params\]: --out .*ca\.pem cannot be used as a folder: /);
  });
});
