import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConfigError,
  type ConfigEnv,
  defaultConfigPath,
  defaultDataDir,
  loadConfig,
  parseConfig,
} from '../../src/config/index.js';
import { type TempDir, tempDir } from './support.js';

const GOOD = `
[server]
port = 5000
host = "127.0.0.2"
log_level = "debug"

[[backend]]
name = "plexus"
host = "127.0.0.1"
port = 4444

[[backend]]
name = "prod"
host = "plexus.example.com"
port = 4444
protocol = "wss"
description = "Production Plexus hub"
namespace = "eu"
ttl = 30
`;

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  let dir: TempDir;
  let env: ConfigEnv;
  before(async () => {
    dir = await tempDir();
    env = { XDG_CONFIG_HOME: dir.path, HOME: dir.path };
  });
  after(() => dir.close());

  it('fills every default when the default file is absent', async () => {
    const config = await loadConfig({ env, cwd: dir.path });
    const folder = join(dir.path, 'plexus');
    assert.equal(config.configPath, join(folder, 'backends.toml'));
    assert.equal(config.configFound, false);
    assert.deepEqual(config.server, {
      host: '127.0.0.1',
      port: 4445,
      dataDir: folder,
      dbPath: join(folder, 'registry.db'),
      autoRegister: true,
      logLevel: 'info',
      insecureLoopback: false,
      maxFrameBytes: 1_048_576,
      hostId: hostname(),
      topologyIntervalSeconds: 30,
    });
    assert.deepEqual(config.tls, { files: null, names: [], clientCa: null });
    assert.deepEqual(config.auth, { loopbackRole: 'admin', anonymousRole: 'none', allowedOrigins: [] });
    assert.deepEqual(config.storage, { url: join(folder, 'registry.db'), eventRetention: 100_000 });
    assert.deepEqual([config.backends, config.services, config.networks, config.nodes], [[], [], [], []]);
  });

  it('returns a deeply frozen object', async () => {
    const path = await dir.write('frozen.toml', GOOD);
    const config = await loadConfig({ env, configPath: path });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.server));
    assert.ok(Object.isFrozen(config.backends));
    assert.ok(Object.isFrozen(config.backends[0]));
  });

  it('reads backends in camelCase with protocol ws by default', async () => {
    const path = await dir.write('backends.toml', GOOD);
    const config = await loadConfig({ env, configPath: path });
    assert.deepEqual(config.backends, [
      { name: 'plexus', host: '127.0.0.1', port: 4444, protocol: 'ws' },
      {
        name: 'prod',
        host: 'plexus.example.com',
        port: 4444,
        protocol: 'wss',
        description: 'Production Plexus hub',
        namespace: 'eu',
        ttlSeconds: 30,
      },
    ]);
  });

  it('takes flags over environment over file over defaults', async () => {
    const path = await dir.write('precedence.toml', GOOD);
    const config = await loadConfig({
      env: { ...env, REGISTRY_PORT: '6000', REGISTRY_LOG: 'warn', REGISTRY_CONFIG: path },
      flags: { port: 7000 },
    });
    assert.equal(config.configPath, path);
    assert.equal(config.server.port, 7000, 'flag beats env and file');
    assert.equal(config.server.logLevel, 'warn', 'env beats file');
    assert.equal(config.server.host, '127.0.0.2', 'file beats default');
    assert.equal(config.server.maxFrameBytes, 1_048_576, 'default when nobody sets it');
  });

  it('places the data folder beside the config file and the database in it', async () => {
    const path = await dir.write('placed.toml', '[server]\nport = 4446\n');
    const config = await loadConfig({ env, configPath: path });
    assert.equal(config.server.dataDir, dir.path);
    assert.equal(config.server.dbPath, join(dir.path, 'registry.db'));
    assert.equal(config.storage.url, config.server.dbPath);
  });

  it('puts the database inside a data folder given by REGISTRY_DATA_DIR', async () => {
    const config = await loadConfig({ env: { ...env, REGISTRY_DATA_DIR: 'data' }, cwd: dir.path });
    assert.equal(config.server.dataDir, join(dir.path, 'data'));
    assert.equal(config.server.dbPath, join(dir.path, 'data', 'registry.db'));
  });

  it('resolves relative paths in the file against its folder', async () => {
    const path = await dir.write('paths.toml', '[tls]\ncert = "tls/server.crt"\nkey = "tls/server.key"\n');
    const config = await loadConfig({ env, configPath: path, cwd: '/' });
    assert.deepEqual(config.tls.files, { cert: join(dir.path, 'tls/server.crt'), key: join(dir.path, 'tls/server.key') });
  });

  it('keeps a postgres store URL as written and lets a flag replace it', async () => {
    const path = await dir.write('store.toml', '[storage]\nurl = "postgres://db.example/registry"\n');
    assert.equal((await loadConfig({ env, configPath: path })).storage.url, 'postgres://db.example/registry');
    const flagged = await loadConfig({ env, configPath: path, flags: { storeUrl: 'postgres://other/r' } });
    assert.equal(flagged.storage.url, 'postgres://other/r');
  });

  it('accepts [[service]], [[network]] and [[node]] tables as they are', async () => {
    const text = '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.8.0.0/24"\n[[node]]\nname = "a"\n';
    const config = await loadConfig({ env, configPath: await dir.write('loose.toml', text) });
    assert.deepEqual(config.networks.map((n) => n.definition), [{ name: 'wg0', kind: 'wireguard', cidr: '10.8.0.0/24' }]);
    assert.deepEqual(config.nodes, [{ name: 'a' }]);
  });

  it('rejects a missing file that was named', async () => {
    const missing = dir.file('absent.toml');
    const error = await rejection(loadConfig({ env: { ...env, REGISTRY_CONFIG: missing } }));
    assert.equal(error.code, 'config_invalid');
    assert.equal(error.file, missing);
    assert.match(error.message, /file not found \(named by REGISTRY_CONFIG\)/);
  });

  it('reports the line and column of a TOML syntax error', async () => {
    const path = await dir.write('syntax.toml', '[server]\nport = 4445\nhost = "127.0.0.1\n');
    const error = await rejection(loadConfig({ env, configPath: path }));
    assert.equal(error.file, path);
    assert.equal(error.line, 3);
    assert.equal(typeof error.column, 'number');
    assert.ok(error.message.includes(`${path}:3:`), error.message);
  });

  it('names every bad field with its line, not just the first', async () => {
    const text = [
      '[[backend]]', //                                   1
      'name = "hub1"', //                                 2
      'host = "10.0.0.1"', //                             3
      'port = 70000', //                                  4
      '', //                                              5
      '[[backend]]', //                                   6
      'name = "hub2"', //                                 7
      'host = "10.0.0.2"', //                             8
      'port = 4444', //                                   9
      'prot = "ws"', //                                   10
    ].join('\n');
    const error = await rejection(loadConfig({ env, configPath: await dir.write('fields.toml', text) }));
    const found = error.issues.map((issue) => [issue.path, issue.line]);
    assert.deepEqual(found, [
      ['backend[0].port', 4],
      ['backend[1].prot', 10],
    ]);
    assert.match(error.reason, /backend\[0\]\.port: must be ≤ 65535/);
    assert.match(error.reason, /backend\[1\]\.prot: unknown key/);
    assert.ok(error.message.includes(':4:1: backend[0].port'), error.message);
    assert.equal(error.line, 4);
  });

  it('rejects a duplicate backend name, naming it', async () => {
    const text = '[[backend]]\nname = "hub"\nhost = "a"\nport = 1\n[[backend]]\nname = "hub"\nhost = "b"\nport = 2\n';
    const error = await rejection(loadConfig({ env, configPath: await dir.write('dup.toml', text) }));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.path, 'backend[1].name');
    assert.equal(error.issues[0]?.line, 6);
    assert.match(error.reason, /duplicate backend name "hub"/);
  });

  it('rejects a backend name outside the allowed pattern', async () => {
    const text = '[[backend]]\nname = "-bad name"\nhost = "a"\nport = 1\n';
    const error = await rejection(loadConfig({ env, configPath: await dir.write('name.toml', text) }));
    assert.equal(error.issues[0]?.path, 'backend[0].name');
  });

  it('rejects an unknown top-level table with the known ones listed', async () => {
    const text = '[server]\nport = 4445\n\n[frobnicate]\nx = 1\n';
    const error = await rejection(loadConfig({ env, configPath: await dir.write('table.toml', text) }));
    assert.equal(error.issues[0]?.line, 4);
    assert.match(error.reason, /^frobnicate: unknown table \(known: server, tls, auth, storage, limits, health, dns, backend, service, network, node\)/);
  });

  it('rejects insecure_loopback on a host that is not loopback', async () => {
    const text = '[server]\nhost = "0.0.0.0"\ninsecure_loopback = true\n';
    const error = await rejection(loadConfig({ env, configPath: await dir.write('insecure.toml', text) }));
    assert.equal(
      error.reason,
      '--insecure-loopback serves plaintext and is only allowed while bound to loopback; host 0.0.0.0 is not loopback',
    );
    assert.equal(error.line, 3);
  });

  it('accepts insecure_loopback on ::1 and localhost', async () => {
    for (const host of ['::1', 'localhost', '127.9.9.9']) {
      const config = await loadConfig({ env, flags: { host, insecureLoopback: true } });
      assert.equal(config.server.insecureLoopback, true);
    }
  });

  it('rejects a TLS certificate without its key', async () => {
    const error = await rejection(loadConfig({ env, flags: { tlsCert: '/etc/registry/server.crt' } }));
    assert.match(error.reason, /^tls: cert and key go together; key is missing/);
  });

  it('reads [tls] names and client_ca, the path against the file’s folder', async () => {
    const text = '[tls]\nnames = ["registry.example", "10.8.0.1", "fd00::5"]\nclient_ca = "ops/clients.pem"\n';
    const config = await loadConfig({ env, configPath: await dir.write('tls-names.toml', text), cwd: '/' });
    assert.deepEqual(config.tls, { files: null, names: ['registry.example', '10.8.0.1', 'fd00::5'], clientCa: join(dir.path, 'ops/clients.pem') });
  });

  it('rejects a [tls] name that is neither a host name nor an address, naming it', async () => {
    const error = await rejection(loadConfig({ env, configPath: await dir.write('tls-bad.toml', '[tls]\nnames = ["ok.example", "not a host"]\n') }));
    assert.equal(error.issues[0]?.path, 'tls.names[1]');
  });

  it('rejects [tls] names beside an operator certificate, which the server serves as it is', async () => {
    const text = '[tls]\ncert = "s.crt"\nkey = "s.key"\nnames = ["registry.example"]\n';
    const error = await rejection(loadConfig({ env, configPath: await dir.write('tls-both.toml', text) }));
    assert.equal(error.issues[0]?.path, 'tls.names');
    assert.equal(error.issues[0]?.line, 4);
    assert.match(error.reason, /names apply to the certificate the server makes/);
  });

  it('rejects REGISTRY_PORT=abc, naming the variable', async () => {
    const error = await rejection(loadConfig({ env: { ...env, REGISTRY_PORT: 'abc' } }));
    assert.equal(error.issues[0]?.path, 'REGISTRY_PORT');
    assert.match(error.message, /REGISTRY_PORT: must be a whole number from 0 to 65535 \(got "abc"\)/);
  });

  it('rejects a bad REGISTRY_LOG level and a bad port flag together', async () => {
    const error = await rejection(loadConfig({ env: { ...env, REGISTRY_LOG: 'loud' }, flags: { port: Number.NaN } }));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['REGISTRY_LOG', '--port'],
    );
  });
});

describe('parseConfig', () => {
  it('builds a configuration from text in hand', () => {
    const config = parseConfig('[[backend]]\nname = "a"\nhost = "h"\nport = 1\n', {
      configPath: '/etc/plexus/backends.toml',
      env: {},
    });
    assert.equal(config.server.dataDir, '/etc/plexus');
    assert.equal(config.backends[0]?.name, 'a');
  });
});

describe('defaultConfigPath', () => {
  it('uses XDG_CONFIG_HOME when it is absolute', () => {
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/plexus/backends.toml');
  });

  it('falls back to ~/.config when XDG_CONFIG_HOME is unset or relative', () => {
    assert.equal(defaultConfigPath({ HOME: '/h' }), '/h/.config/plexus/backends.toml');
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: 'rel', HOME: '/h' }), '/h/.config/plexus/backends.toml');
  });
});

describe('defaultDataDir', () => {
  it('agrees with loadConfig when the file sets no data_dir', async () => {
    const env = { HOME: '/h', REGISTRY_CONFIG: '/srv/registry/backends.toml' };
    assert.equal(defaultDataDir({ env }), '/srv/registry');
    assert.equal(defaultDataDir({ env: { HOME: '/h' } }), '/h/.config/plexus');
    assert.equal(defaultDataDir({ env: { HOME: '/h', REGISTRY_DATA_DIR: '/var/lib/registry' } }), '/var/lib/registry');
  });
});
