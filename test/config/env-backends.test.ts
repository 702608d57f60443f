import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const load = (value: string) => loadConfig({ env: { REGISTRY_BACKENDS: value, HOME: '/nonexistent' }, ignoreFile: true });

async function issuesOf(value: string): Promise<{ path?: string; message: string }[]> {
  const error = await load(value).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, `REGISTRY_BACKENDS=${value} was accepted`);
  return error.issues.map(({ path, message }) => ({ ...(path === undefined ? {} : { path }), message }));
}

describe('REGISTRY_BACKENDS', () => {
  it('reads name=protocol://host:port entries: addresses, bracketed IPv6, host names, blanks and spaces skipped', async () => {
    const config = await load(' hub1=wss://10.0.0.5:4444 , hub2=WS://[fd00::5]:4445,\n  edge.eu-1=tcp://edge.example.com:9000/,');
    assert.deepEqual(config.envBackends, [
      { name: 'hub1', host: '10.0.0.5', port: 4444, protocol: 'wss' },
      { name: 'hub2', host: 'fd00::5', port: 4445, protocol: 'ws' },
      { name: 'edge.eu-1', host: 'edge.example.com', port: 9000, protocol: 'tcp' },
    ]);
  });

  it('is empty when unset or blank', async () => {
    assert.deepEqual((await loadConfig({ env: { HOME: '/nonexistent' }, ignoreFile: true })).envBackends, []);
    assert.deepEqual((await load('  ')).envBackends, []);
  });

  it('refuses each bad entry, naming the variable, the entry and the reason, all at once', async () => {
    const issues = await issuesOf('ok=ws://h:1,hub 2=ws://h:1,bad=ws://$(touch x):1,noport=ws://h,big=ws://h:70000,v6=ws://::1:4444,path=ws://h:1/x,ok=ws://h:2');
    assert.deepEqual(
      issues.map((i) => i.path),
      ['REGISTRY_BACKENDS[1]', 'REGISTRY_BACKENDS[2]', 'REGISTRY_BACKENDS[3]', 'REGISTRY_BACKENDS[4]', 'REGISTRY_BACKENDS[5]', 'REGISTRY_BACKENDS[6]', 'REGISTRY_BACKENDS[7]'],
    );
    const [name, host, noPort, big, v6, path, duplicate] = issues.map((i) => i.message);
    assert.match(name ?? '', /^"hub 2=ws:\/\/h:1": must be name=protocol:\/\/host:port/);
    assert.match(host ?? '', /host "\$\(touch x\)" must be an IP address or an RFC 1123 host name/);
    assert.match(noPort ?? '', /must be name=protocol:\/\/host:port/);
    assert.match(big ?? '', /port 70000 must be from 1 to 65535/);
    assert.match(v6 ?? '', /must be name=protocol:\/\/host:port/);
    assert.match(path ?? '', /must be name=protocol:\/\/host:port/);
    assert.match(duplicate ?? '', /duplicate backend name "ok" \(first given as REGISTRY_BACKENDS\[0\]\)/);
  });

  it('refuses a name outside the backend name rule', async () => {
    const [issue] = await issuesOf('-x=ws://h:1');
    assert.match(issue?.message ?? '', /name "-x" must start with a letter or digit/);
  });

  it('shows the variable in the error a user reads', async () => {
    const error = await load('hub2=wss//10.0.0.5:4444').catch((e: unknown) => e);
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /REGISTRY_BACKENDS\[0\]: "hub2=wss\/\/10\.0\.0\.5:4444": must be name=protocol:\/\/host:port, e\.g\. hub2=wss:\/\/10\.0\.0\.5:4444/);
  });
});
