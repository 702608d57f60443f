import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asRevision, asServiceId, type Registration, type Service, upsertService } from '../../src/domain/index.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const at = (now: number, revision: number) => ({ now, revision: asRevision(revision), newId: () => asServiceId('00000000-0000-4000-8000-000000000001') });

const manual = (fields: Registration['fields']): Registration => ({ name: 'api', source: 'manual', fields, mode: 'replace', signOfLife: true });

/** A service as `register_service` left it, with a state an operator moved it to. */
function registered(): Service {
  const { service } = upsertService(undefined, manual({ host: '10.0.0.5', port: 80, tags: ['blue'], addresses: { lan: '10.0.0.5' }, ttlSeconds: 30 }), at(T0, 1));
  return { ...service, state: 'running' };
}

describe('upsertService', () => {
  it('registers a new name with ServiceRegistered and the defaults filled in', () => {
    const { service, created, events } = upsertService(undefined, manual({ host: '10.0.0.5', port: 80 }), at(T0, 1));
    assert.equal(created, true);
    assert.deepEqual([service.protocol, service.state, service.tags, service.ttlSeconds], ['ws', 'registered', [], undefined]);
    assert.deepEqual(events.map((e) => e.type), ['ServiceRegistered']);
  });

  it('replaces: what the registration leaves out takes its default, while id, creation, state and health stay', () => {
    const existing = registered();
    const { service, created, events } = upsertService(existing, manual({ host: '10.0.0.6', port: 81 }), at(T0 + 1_000, 2));
    assert.equal(created, false);
    assert.deepEqual([service.tags, service.addresses, service.ttlSeconds], [[], {}, undefined]);
    assert.deepEqual([service.id, service.createdAt, service.registeredAt, service.state], [existing.id, T0, T0, 'running']);
    assert.deepEqual([service.updatedAt, service.lastSeen, service.revision], [T0 + 1_000, T0 + 1_000, 2]);
    assert.deepEqual(events.map((e) => e.type), ['ServiceUpdated']);
  });

  it('merges: what the registration leaves out is kept, the TTL excepted, and a new state is a ServiceStateChanged', () => {
    const existing = { ...registered(), state: 'stopped' as const };
    const deployed: Registration = { name: 'api', source: 'deploy', fields: { host: '10.0.0.5', port: 80, version: '2.0', state: 'running' }, mode: 'merge', signOfLife: true };
    const { service, events } = upsertService(existing, deployed, at(T0 + 1_000, 2));
    assert.deepEqual([service.tags, service.addresses, service.version, service.ttlSeconds, service.source], [['blue'], { lan: '10.0.0.5' }, '2.0', undefined, 'deploy']);
    assert.equal(service.lastStateChange, T0 + 1_000);
    assert.deepEqual(
      events.map((e) => (e.type === 'ServiceStateChanged' ? `${e.type} ${e.oldState}→${e.newState}` : e.type)),
      ['ServiceUpdated', 'ServiceStateChanged stopped→running'],
    );
  });

  it('changes nothing for a registration that restates the record: the same record, no event', () => {
    const existing = registered();
    const restated: Registration = { name: 'api', source: 'manual', fields: { host: '10.0.0.5', port: 80, tags: ['blue'], addresses: { lan: '10.0.0.5' }, ttlSeconds: 30, state: 'running' }, mode: 'replace', signOfLife: false };
    const change = upsertService(existing, restated, at(T0 + 1_000, 2));
    assert.equal(change.service, existing);
    assert.deepEqual(change.events, []);
  });

  it('moves lastSeen alone for a sign of life that restates the record', () => {
    const existing = registered();
    const { service, events } = upsertService(existing, manual({ host: '10.0.0.5', port: 80, tags: ['blue'], addresses: { lan: '10.0.0.5' }, ttlSeconds: 30 }), at(T0 + 1_000, 2));
    assert.deepEqual(events, []);
    assert.deepEqual({ ...service, lastSeen: existing.lastSeen }, existing);
    assert.equal(service.lastSeen, T0 + 1_000);
  });

  it('brings an expired TTL back with HealthChanged ttl critical → passing when the registration is a sign of life', () => {
    const existing = registered();
    const { service, events } = upsertService(existing, manual({ host: '10.0.0.5', port: 80, tags: ['blue'], addresses: { lan: '10.0.0.5' }, ttlSeconds: 30 }), at(T0 + 31_000, 2));
    assert.deepEqual(events.map((e) => (e.type === 'HealthChanged' ? `${e.check} ${e.from}→${e.to} ${e.active}` : e.type)), ['ttl critical→passing true']);
    assert.equal(service.health?.status, 'passing');
  });

  it('leaves an expired TTL expired when the registration is not a sign of life (a configuration reload)', () => {
    const existing = registered();
    const reloaded: Registration = { name: 'api', source: 'file', fields: { host: '10.0.0.5', port: 80, ttlSeconds: 30 }, mode: 'replace', signOfLife: false };
    const { service, events } = upsertService(existing, reloaded, at(T0 + 31_000, 2));
    assert.deepEqual(events.map((e) => e.type), ['ServiceUpdated']);
    assert.equal(service.lastSeen, existing.lastSeen);
  });
});
