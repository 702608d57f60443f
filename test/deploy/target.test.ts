import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findTarget, releaseHistory } from '../../src/deploy/internal.js';
import { type DeploymentRecord, RegistryError } from '../../src/domain/index.js';

let clock = 0;
const record = (kind: DeploymentRecord['kind'], version: string, status: DeploymentRecord['status'] = 'succeeded', node = 'n1'): DeploymentRecord => ({
  id: `d${++clock}`,
  kind,
  node,
  service: 'api',
  version,
  status,
  startedAt: clock,
  steps: [],
});

describe('releaseHistory', () => {
  it('stacks deployments and pops back on a rollback; failed ones change nothing', () => {
    const log = [
      record('deploy', '1'),
      record('deploy', '2'),
      record('deploy', '3', 'failed'),
      record('deploy', '2', 'succeeded', 'n2'),
      record('rollback', '1'),
    ].reverse();
    assert.deepEqual(releaseHistory(log, 'n1', 'api'), ['1']);
    assert.deepEqual(releaseHistory(log.slice(1), 'n1', 'api'), ['1', '2']);
    assert.deepEqual(releaseHistory(log, 'n2', 'api'), ['2']);
    assert.deepEqual(releaseHistory(log, 'n1', 'other'), []);
  });
});

describe('findTarget', () => {
  const nodes = [
    { name: 'ok', host: '10.0.0.5', sshUser: 'deploy', sshPort: 22, installDir: '/opt' },
    { name: 'hostless', sshUser: 'deploy', sshPort: 22, installDir: '/opt' },
  ];

  it('answers not_found for a node the configuration lacks', () => {
    assert.throws(() => findTarget(nodes, 'nope'), (e: unknown) => e instanceof RegistryError && e.code === 'not_found' && /node 'nope'/.test(e.message));
  });

  it('answers config_invalid for a node without a host', () => {
    assert.throws(() => findTarget(nodes, 'hostless'), (e: unknown) => e instanceof RegistryError && e.code === 'config_invalid' && /no host/.test(e.message));
  });

  it('returns a node with host and user', () => {
    assert.equal(findTarget(nodes, 'ok').host, '10.0.0.5');
  });
});
