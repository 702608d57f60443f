import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, RegistryError } from '../../src/domain/index.js';
import { DEFAULT_REQUEST_WINDOW_MS, type WriteRequest } from '../../src/store/index.js';
import { register, storeRunner, T0 } from './fixtures.js';
import type { StoreConformanceOptions } from './conformance.js';

const request = (id: string, fingerprint = 'same params'): { readonly request: WriteRequest } => ({ request: { id, fingerprint } });

/** Exactly-once writes over retries, as every Store keeps them; called from runStoreConformance. */
export function runRequestConformance({ open }: StoreConformanceOptions): void {
  const withStore = storeRunner({ open });

  describe('Store conformance - request ids', () => {
    it('answers a retry with the first outcome and runs its function once', () =>
      withStore(async (store) => {
        let runs = 0;
        const write = () => store.write(async (tx) => ((runs += 1), register(tx, 'api', { port: 8443 })), request('r-1'));
        const first = await write();
        await store.write((tx) => register(tx, 'api', { port: 9000 }));
        const retry = await write();
        assert.equal(runs, 1);
        assert.equal(retry.replayed, true);
        assert.deepEqual(retry.value, first.value);
        assert.equal(retry.revision, first.revision);
        assert.equal(store.services.get('api')?.port, 9000, 'the retry changed nothing');
      }));

    it('applies once two calls with one id that commit together', () =>
      withStore(async (store) => {
        let runs = 0;
        const write = () => store.write(async (tx) => ((runs += 1), register(tx, 'api')), request('r-2'));
        const [a, b] = await Promise.all([write(), write()]);
        assert.equal(runs, 1);
        assert.deepEqual(a.value, b.value);
        assert.equal(store.revision, a.revision);
      }));

    it('refuses the same id with other params, naming request_id', () =>
      withStore(async (store) => {
        await store.write((tx) => register(tx, 'api'), request('r-3', 'first'));
        await assert.rejects(store.write((tx) => register(tx, 'db'), request('r-3', 'second')), (error: unknown) => {
          assert.ok(error instanceof RegistryError);
          assert.equal(error.code, 'invalid_params');
          assert.match(error.message, /request_id/);
          return true;
        });
        assert.equal(store.services.get('db'), undefined);
      }));

    it('keeps no outcome for a write that threw or changed nothing: its retry runs', () =>
      withStore(async (store) => {
        await assert.rejects(store.write(() => Promise.reject(new RegistryError('not_found')), request('r-4')));
        const after = await store.write((tx) => register(tx, 'api'), request('r-4'));
        assert.equal(after.replayed, undefined);
        await store.write(() => 'nothing', request('r-5'));
        const again = await store.write((tx) => register(tx, 'db'), request('r-5'));
        assert.equal(again.replayed, undefined);
        assert.ok(store.services.get('db'));
      }));

    it('forgets an id once its window has passed, and keeps the call that came after it', () => {
      const clock = new ManualClock(T0);
      return withStore(async (store) => {
        await store.write((tx) => register(tx, 'api'), request('r-6'));
        clock.advance(DEFAULT_REQUEST_WINDOW_MS + 1);
        const late = await store.write((tx) => register(tx, 'api', { port: 1 }), request('r-6'));
        assert.equal(late.replayed, undefined);
        assert.equal(store.services.get('api')?.port, 1);
        // The id starts a new window with the late call's outcome: a retry of it runs no third time.
        await store.write((tx) => register(tx, 'api', { port: 2 }));
        const retry = await store.write((tx) => register(tx, 'api', { port: 1 }), request('r-6'));
        assert.equal(retry.replayed, true);
        assert.deepEqual(retry.value, late.value);
        assert.equal(store.services.get('api')?.port, 2, 'the retry changed nothing');
      }, clock);
    });
  });

  describe('Store conformance - request ids across a restart', () => {
    it('answers a retry after a restart with the outcome committed before it', async (t) => {
      const opened = await open();
      try {
        if (opened.reopen === undefined) return t.skip('this backend cannot reopen its location');
        const first = await opened.store.write((tx) => register(tx, 'api'), request('r-7'));
        const store = await opened.reopen();
        try {
          const retry = await store.write((tx) => register(tx, 'api', { port: 1 }), request('r-7'));
          assert.equal(retry.replayed, true);
          assert.deepEqual(retry.value, first.value);
          assert.equal(store.services.get('api')?.port, 4444);
        } finally {
          await store.close();
        }
      } finally {
        await opened.close();
      }
    });
  });
}
