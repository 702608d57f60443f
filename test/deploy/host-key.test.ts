import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fingerprint } from '../../src/deploy/index.js';
import { hostFieldMatches, hostKeyPolicy, knownHostKeys, knownHostsName, parsePublicKey } from '../../src/deploy/internal.js';
import { RegistryError } from '../../src/domain/index.js';
import { keygen } from '../helpers/sshd.js';

const run = promisify(execFile);

const hashed = (name: string): string => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

describe('host keys', () => {
  let work = '';
  let line = '';
  let other = '';
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-hostkey-test-'));
    await chmod(work, 0o755);
    line = await keygen(join(work, 'a'));
    other = await keygen(join(work, 'b'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  const keyOf = (text: string) => {
    const [type = '', base64 = ''] = text.split(' ');
    return parsePublicKey(type, base64) ?? assert.fail(`not a key: ${text}`);
  };

  it('prints fingerprints as ssh-keygen -l does', async () => {
    const { stdout } = await run('ssh-keygen', ['-lf', join(work, 'a.pub')]);
    assert.equal(fingerprint(keyOf(line).blob), stdout.split(' ')[1]);
  });

  it('refuses a key line whose blob says another type', () => {
    const [, base64 = ''] = line.split(' ');
    assert.equal(parsePublicKey('ssh-rsa', base64), undefined);
  });

  it('names a host off port 22 as [host]:port', () => {
    assert.equal(knownHostsName('10.0.0.5', 22), '10.0.0.5');
    assert.equal(knownHostsName('10.0.0.5', 2222), '[10.0.0.5]:2222');
  });

  it('matches plain, wildcard, negated and hashed host fields', () => {
    assert.equal(hostFieldMatches('a.example,10.0.0.5', '10.0.0.5'), true);
    assert.equal(hostFieldMatches('*.example', 'db.example'), true);
    assert.equal(hostFieldMatches('*.example,!db.example', 'db.example'), false);
    assert.equal(hostFieldMatches(hashed('[127.0.0.1]:2222'), '[127.0.0.1]:2222'), true);
    assert.equal(hostFieldMatches(hashed('[127.0.0.1]:2222'), '127.0.0.1'), false);
  });

  it('takes the keys known_hosts lists for the host, and its revoked ones apart', () => {
    const [, otherType = '', otherBase64 = ''] = ['', ...other.split(' ')];
    const text = [
      '# comment',
      `${hashed('[127.0.0.1]:2222')} ${line}`,
      `other.example ${other}`,
      `@revoked [127.0.0.1]:2222 ${otherType} ${otherBase64}`,
      `@cert-authority * ${other}`,
    ].join('\n');
    const found = knownHostKeys(text, '[127.0.0.1]:2222');
    assert.deepEqual(found.keys.map((k) => fingerprint(k.blob)), [fingerprint(keyOf(line).blob)]);
    assert.deepEqual(found.revoked.map((k) => fingerprint(k.blob)), [fingerprint(keyOf(other).blob)]);
  });

  it('builds a policy from known_hosts and refuses a node with no key for it', async () => {
    const path = join(work, 'known_hosts');
    await writeFile(path, `[127.0.0.1]:2222 ${line}\n`);
    const node = { name: 'n', host: '127.0.0.1', sshPort: 2222, knownHosts: path };
    const policy = await hostKeyPolicy(node);
    assert.deepEqual(policy.algorithms, ['ssh-ed25519']);
    await assert.rejects(hostKeyPolicy({ ...node, sshPort: 22 }), (error: unknown) => error instanceof RegistryError && error.code === 'host_key_mismatch' && /has no key for 127\.0\.0\.1/.test(error.message));
    await assert.rejects(hostKeyPolicy({ name: 'n', host: 'h', sshPort: 22 }), /neither host_key nor known_hosts/);
  });
});
