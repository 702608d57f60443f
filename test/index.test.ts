import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as registry from 'service-registry';

describe('service-registry package entry', () => {
  it('exports the client, the server, configuration loading and the error type', () => {
    assert.equal(typeof registry.RegistryClient.connect, 'function');
    assert.equal(typeof registry.startServer, 'function');
    assert.equal(typeof registry.loadConfig, 'function');
    assert.equal(new registry.RegistryError('not_found').code, 'not_found');
  });
});
