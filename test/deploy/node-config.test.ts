import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const parse = (text: string) => parseConfig(text, { configPath: '/etc/registry/backends.toml', env: {}, cwd: '/' });

function issuesOf(text: string): string[] {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.map((i) => `${i.path ?? ''}: ${i.message}`);
  }
  return assert.fail('the configuration was accepted');
}

describe('[[node]] configuration', () => {
  it('fills the defaults and makes key paths absolute against the file folder', () => {
    const config = parse('[[node]]\nname = "web1"\nhost = "10.0.0.5"\nssh_user = "deploy"\nssh_key = "keys/id_ed25519"\nknown_hosts = "/etc/ssh/known"\n');
    assert.deepEqual(config.nodeDefinitions, [
      { name: 'web1', host: '10.0.0.5', sshUser: 'deploy', sshPort: 22, sshKey: '/etc/registry/keys/id_ed25519', knownHosts: '/etc/ssh/known', installDir: '/opt' },
    ]);
  });

  it('names a bad host key, a relative install_dir and an unknown key', () => {
    const issues = issuesOf('[[node]]\nname = "web1"\nhost_key = "ssh-ed25519"\ninstall_dir = "opt"\nssh_prot = 22\n');
    assert.ok(issues.some((i) => i.startsWith('node[0].host_key: must be a public key line')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('node[0].install_dir: must be an absolute path')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('node[0].ssh_prot: unknown key')), issues.join('\n'));
  });

  it('refuses host_key with known_hosts, and a name used twice', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMhj1ZlWuXx0CtYVqYw3+G8yJtYkKc0wKvT1n1n1n1n1';
    const issues = issuesOf(`[[node]]\nname = "a"\nhost_key = "${key}"\nknown_hosts = "/k"\n[[node]]\nname = "a"\n`);
    assert.ok(issues.some((i) => i === 'node[0].known_hosts: give host_key or known_hosts, not both'), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('node[1].name: duplicate node name "a"')), issues.join('\n'));
  });
});
