import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTransition, type CheckDefinition, declareChecks, type Service } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import type { StoreConformanceOptions } from './conformance.js';
import { makeService, T0 } from './fixtures.js';

const definitions: CheckDefinition[] = [
  { name: 'http', kind: 'http', url: 'http://10.0.0.5:8080/health', intervalMs: 10_000, timeoutMs: 5_000, successBeforePassing: 1, failuresBeforeWarning: 3, failuresBeforeCritical: 3, deregisterCriticalAfterMs: 1_000, initialStatus: 'passing' },
  { name: 'rpc', kind: 'ws', url: 'ws://10.0.0.5:4444', rpcMethod: 'registry-hub.call', rpcParams: { method: '_info' }, intervalMs: 5_000, timeoutMs: 1_000, successBeforePassing: 2, failuresBeforeWarning: 1, failuresBeforeCritical: 2, initialStatus: 'critical' },
];

/** Health checks live in the service record (issue 13): every Store keeps them, and their status, as it keeps the rest. */
export function runHealthConformance({ open }: StoreConformanceOptions): void {
  describe('Store conformance - health checks', () => {
    it('commits a check transition as one revision with one HealthChanged, and keeps checks and statuses across a reopen', async () => {
      const opened = await open();
      let store: Store = opened.store;
      try {
        await store.write(async (tx) => {
          const service: Service = { ...makeService('api', {}, tx.revision), checks: declareChecks(undefined, definitions, T0) };
          await tx.services.put(service);
          tx.emit({ type: 'ServiceRegistered', service });
        });
        const before = store.revision;
        const { revision, events } = await store.write(async (tx) => {
          const service = await tx.services.get('api');
          const moved = service === undefined ? undefined : applyTransition(service, { check: 'http', from: 'passing', to: 'critical', output: 'HTTP GET: 503' }, T0 + 1_000, tx.revision);
          assert.ok(moved);
          await tx.services.put(moved.service);
          tx.emit(moved.event);
        });
        assert.equal(revision, before + 1);
        assert.deepEqual(events.map((e) => e.type === 'HealthChanged' && [e.check, e.from, e.to, e.output, e.active]), [['http', 'passing', 'critical', 'HTTP GET: 503', false]]);
        const expected: Service | undefined = store.services.get('api');
        assert.equal(expected?.checks?.[0]?.status, 'critical');
        if (opened.reopen === undefined) return;
        store = await opened.reopen();
        assert.deepEqual(store.services.get('api')?.checks, expected?.checks);
        const [replayed] = await store.eventsSince(before, 10);
        assert.ok(replayed?.type === 'HealthChanged' && replayed.check === 'http' && replayed.output === 'HTTP GET: 503');
      } finally {
        await store.close();
        await opened.close();
      }
    });
  });
}
