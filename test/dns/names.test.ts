import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseName } from '../../src/dns/index.js';

const domain = ['registry'];

describe('parseName', () => {
  it('reads service, endpoint and node names below the domain, in lowercase', () => {
    assert.deepEqual(parseName('API.Service.Registry', domain), { kind: 'service', service: 'api' });
    assert.deepEqual(parseName('hub.v2.service.registry.', domain), { kind: 'service', service: 'hub.v2' });
    assert.deepEqual(parseName('_HTTP._tcp.api.service.registry', domain), { kind: 'endpoint', endpoint: 'http', proto: 'tcp', service: 'api' });
    assert.deepEqual(parseName('edge1.node.registry', domain), { kind: 'node', node: 'edge1' });
  });

  it('tells the apex, the name server and the empty branches apart from absent names', () => {
    assert.deepEqual(parseName('registry', domain), { kind: 'apex' });
    assert.deepEqual(parseName('NS.registry', domain), { kind: 'nameserver' });
    assert.deepEqual(parseName('service.registry', domain), { kind: 'branch' });
    assert.deepEqual(parseName('node.registry', domain), { kind: 'branch' });
    for (const name of ['x.registry', 'a.ns.registry', '_http.api.service.registry', '_http._tcp.service.registry', '_._tcp.api.service.registry']) {
      assert.deepEqual(parseName(name, domain), { kind: 'absent' }, name);
    }
  });

  it('puts every name not ending in the domain outside it, a longer domain included', () => {
    for (const name of ['.', 'example.com', 'registry.example', 'xregistry', 'service.registryx']) {
      assert.deepEqual(parseName(name, domain), { kind: 'outside' }, name);
    }
    const deep = ['sd', 'example', 'internal'];
    assert.deepEqual(parseName('api.service.sd.example.internal', deep), { kind: 'service', service: 'api' });
    assert.deepEqual(parseName('api.service.example.internal', deep), { kind: 'outside' });
  });
});
