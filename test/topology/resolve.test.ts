import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envLine, envName, placeCaller, resolveEndpoint, resolveEndpoints } from '../../src/topology/index.js';
import { hostA, service } from './fixtures.js';

const api = service('api', {
  hostId: 'host-a',
  addresses: { local: '127.0.0.1', lan: '10.231.1.1', wireguard: '10.232.0.1' },
  endpoints: [
    { name: 'http', port: 8080, protocol: 'http', metadata: {} },
    { name: 'grpc', port: 9090, protocol: 'grpc', metadata: {} },
  ],
});
const onA = placeCaller(hostA, { remoteAddress: '127.0.0.1' });
const onLan = placeCaller(hostA, { remoteAddress: '10.231.1.2', localAddress: '10.231.1.1' });
const overWg = placeCaller(hostA, { remoteAddress: '10.232.0.2', localAddress: '10.232.0.1' });
const outside = placeCaller(hostA, { remoteAddress: '203.0.113.5', localAddress: '198.51.100.10' });

describe('resolveEndpoint', () => {
  it('answers loopback to a caller on the same host', () => {
    const r = resolveEndpoint(api, undefined, onA, hostA);
    assert.deepEqual({ address: r.address, port: r.port, network: r.network, endpoint: r.endpoint }, {
      address: '127.0.0.1',
      port: 8080,
      network: 'local',
      endpoint: 'http',
    });
    assert.match(r.reason, /caller is on this host .* and so is the service \(its host_id host-a is this host\)/);
  });

  it("answers the LAN address to a caller on the service host's LAN", () => {
    const r = resolveEndpoint(api, 'grpc', onLan, hostA);
    assert.deepEqual([r.address, r.port, r.network, r.protocol], ['10.231.1.1', 9090, 'lan', 'grpc']);
    assert.match(r.reason, /share lan network 10\.231\.1\.0\/24/);
  });

  it('answers the WireGuard address to a tunnel peer', () => {
    const r = resolveEndpoint(api, undefined, overWg, hostA);
    assert.deepEqual([r.address, r.network], ['10.232.0.1', 'wireguard']);
  });

  it('answers the public address to a caller sharing no network, and the primary host without one', () => {
    const withPublic = service('web', { hostId: 'host-a', addresses: { lan: '10.231.1.1', public: '198.51.100.10' } });
    assert.deepEqual(
      [resolveEndpoint(withPublic, undefined, outside, hostA).address, resolveEndpoint(withPublic, undefined, outside, hostA).network],
      ['198.51.100.10', 'public'],
    );
    const elsewhere = service('far', { host: '10.50.0.9', hostId: 'host-z', addresses: { lan: '10.50.0.9' } });
    const r = resolveEndpoint(elsewhere, undefined, outside, hostA);
    assert.deepEqual([r.address, r.network], ['10.50.0.9', 'lan']);
    assert.match(r.reason, /primary host/);
    assert.equal(resolveEndpoint(api, undefined, outside, hostA).address, '198.51.100.10', "this host's public address for a service on it");
  });

  it('answers the local address when caller and service declare the same host id, wherever it is', () => {
    const remote = service('db', { hostId: 'host-b', addresses: { local: '127.0.0.1', lan: '10.231.2.9' } });
    const caller = placeCaller(hostA, { remoteAddress: '10.231.2.9', hostId: 'host-b' });
    assert.deepEqual([resolveEndpoint(remote, undefined, caller, hostA).network], ['local']);
    const neighbour = placeCaller(hostA, { remoteAddress: '10.231.2.8' });
    assert.deepEqual([resolveEndpoint(remote, undefined, neighbour, hostA).address], ['10.231.2.9']);
  });

  it("fills in this host's own addresses for a service on it that declared none", () => {
    const bare = service('bare', { host: '127.0.0.1', port: 7000 });
    assert.equal(resolveEndpoint(bare, undefined, onLan, hostA).address, '10.231.1.1');
    assert.equal(resolveEndpoint(bare, undefined, overWg, hostA).address, '10.232.0.1');
    assert.equal(resolveEndpoint(bare, 'primary', onA, hostA).address, '127.0.0.1');
  });

  it('does not answer the loopback of another host', () => {
    const remote = service('far', { hostId: 'host-c', addresses: { local: '127.0.0.1', wireguard: '10.232.0.2' } });
    const r = resolveEndpoint(remote, undefined, onA, hostA);
    assert.deepEqual([r.address, r.network], ['10.232.0.2', 'wireguard']);
  });

  it('answers not_found naming the endpoints a service has', () => {
    assert.throws(() => resolveEndpoint(api, 'metrics', onA, hostA), {
      name: 'RegistryError',
      code: 'not_found',
      message: "service 'api' has no endpoint 'metrics' (it has: http, grpc)",
    });
  });
});

describe('resolveEndpoints', () => {
  it('resolves every endpoint, and the primary one of a service without endpoints', () => {
    assert.deepEqual(resolveEndpoints(api, onLan, hostA).map((r) => `${r.endpoint} ${r.address}:${r.port}`), [
      'http 10.231.1.1:8080',
      'grpc 10.231.1.1:9090',
    ]);
    const plexus = service('hub', { host: '127.0.0.1', port: 4444, protocol: 'ws' });
    assert.deepEqual(resolveEndpoints(plexus, onA, hostA).map((r) => [r.endpoint, r.port, r.protocol]), [['primary', 4444, 'ws']]);
  });
});

describe('envLine', () => {
  it('writes NAME_ADDR=host:port with a shell-safe name and bracketed IPv6', () => {
    assert.equal(envName('api-v2.internal'), 'API_V2_INTERNAL_ADDR');
    assert.equal(envName('3d'), '_3D_ADDR');
    const r = resolveEndpoint(service('hub6', { host: '::1', port: 4444 }), undefined, onA, hostA);
    assert.equal(envLine(r), 'HUB6_ADDR=[::1]:4444');
  });
});
