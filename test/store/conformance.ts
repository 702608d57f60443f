import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asRevision,
  type Clock,
  type CommittedEvent,
  eventServiceName,
  ManualClock,
  RegistryError,
} from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { T0, collectEvents, deregister, makeService, nextValue, register, revisionsOf, storeRunner } from './fixtures.js';
import { runAllocationConformance } from './allocation-conformance.js';
import { runHealthConformance } from './health-conformance.js';
import { runRequestConformance } from './request-conformance.js';

export interface OpenedStore {
  readonly store: Store;
  /** Closes the store (again, if the test already did) and removes what `open` made. */
  close(): Promise<void>;
  /** Closes the store and opens its location again (a restart); the caller closes what it answers. */
  reopen?(): Promise<Store>;
}

export interface StoreConformanceOptions {
  /** Opens a fresh, empty store; `clock` is passed on when given. */
  open(options?: { readonly clock?: Clock }): Promise<OpenedStore>;
}

/** The behaviour every Store implementation shares; each backend's test file calls this. */
export function runStoreConformance({ open }: StoreConformanceOptions): void {
  runAllocationConformance({ open });
  runHealthConformance({ open });
  runRequestConformance({ open });
  const withStore = storeRunner({ open });

  describe('Store conformance - reads and writes', () => {
    it('starts empty at revision 0', () =>
      withStore(async (store) => {
        assert.equal(store.revision, 0);
        assert.equal(store.services.size, 0);
        assert.deepEqual(store.services.list(), []);
        assert.deepEqual(await store.eventsSince(asRevision(0), 100), []);
      }));

    it('puts, gets, lists by name and deletes services through write', () =>
      withStore(async (store) => {
        for (const name of ['gamma', 'alpha', 'beta']) await store.write((tx) => register(tx, name));
        assert.deepEqual(store.services.list().map((s) => s.name), ['alpha', 'beta', 'gamma']);
        assert.equal(store.services.get('beta')?.host, '10.0.0.5');
        const { value } = await store.write((tx) => deregister(tx, 'beta'));
        assert.equal(value, true);
        assert.equal(store.services.get('beta'), undefined);
        assert.deepEqual(store.services.list().map((s) => s.name), ['alpha', 'gamma']);
        assert.equal(store.services.size, 2);
      }));

    it('shows the committed value to reads as soon as the write resolves', () =>
      withStore(async (store) => {
        const { value } = await store.write((tx) => register(tx, 'api', { port: 8443 }));
        assert.deepEqual(store.services.get('api'), value);
        const updated = await store.write((tx) => register(tx, 'api', { port: 9443 }));
        assert.equal(store.services.get('api')?.port, 9443);
        assert.equal(store.revision, updated.revision);
      }));

    it('hides a write from view reads until it commits', () =>
      withStore(async (store) => {
        const seen = await store.write(async (tx) => {
          await register(tx, 'api');
          return { inTx: await tx.services.get('api'), inView: store.services.get('api') };
        });
        assert.equal(seen.value.inTx?.name, 'api');
        assert.equal(seen.value.inView, undefined);
      }));

    it('lets a write read its own changes and those of earlier writes in the same batch', () =>
      withStore(async (store) => {
        const first = store.write((tx) => register(tx, 'a'));
        const second = store.write(async (tx) => {
          await tx.services.delete('a');
          await tx.services.put(makeService('b'));
          return (await tx.services.list()).map((s) => s.name);
        });
        await first;
        assert.deepEqual((await second).value, ['b']);
        assert.deepEqual(store.services.list().map((s) => s.name), ['b']);
      }));

    it('answers delete with false for a name that does not exist', () =>
      withStore(async (store) => {
        const { value, revision } = await store.write((tx) => tx.services.delete('ghost'));
        assert.equal(value, false);
        assert.equal(revision, undefined);
      }));
  });

  describe('Store conformance - revisions', () => {
    it('gives each event-emitting write the next revision and none to a silent write', () =>
      withStore(async (store) => {
        const a = await store.write((tx) => register(tx, 'a'));
        const silent = await store.write(async (tx) => {
          const current = await tx.services.get('a');
          assert.ok(current);
          await tx.services.put({ ...current, lastSeen: T0 + 5_000 });
          return 'pinged';
        });
        const b = await store.write((tx) => register(tx, 'b'));
        assert.deepEqual(revisionsOf([a, silent, b]), [1, undefined, 2]);
        assert.deepEqual(silent.events, []);
        assert.equal(store.services.get('a')?.lastSeen, T0 + 5_000);
        assert.equal(store.revision, 2);
      }));

    it('offers the revision a write will commit at as tx.revision', () =>
      withStore(async (store) => {
        const result = await store.write(async (tx) => (await register(tx, 'a')).revision);
        assert.equal(result.value, result.revision);
        assert.equal(store.services.get('a')?.revision, result.revision);
      }));

    it('stamps events with their revision, index and the clock time', () => {
      const clock = new ManualClock(T0 + 42_000);
      return withStore(async (store) => {
        const { events, revision } = await store.write(async (tx) => {
          await register(tx, 'a');
          await register(tx, 'b');
        });
        assert.equal(revision, 1);
        assert.deepEqual(
          events.map((e) => [e.type, eventServiceName(e), e.revision, e.index, e.timestamp]),
          [
            ['ServiceRegistered', 'a', 1, 0, T0 + 42_000],
            ['ServiceRegistered', 'b', 1, 1, T0 + 42_000],
          ],
        );
      }, clock);
    });

    it('rolls back only a throwing write while a write in the same batch commits', () =>
      withStore(async (store) => {
        const failing = store.write(async (tx) => {
          await register(tx, 'doomed');
          throw new RegistryError('illegal_transition', 'no');
        });
        const passing = store.write(async (tx) => {
          assert.equal(await tx.services.get('doomed'), undefined);
          return register(tx, 'kept');
        });
        await assert.rejects(failing, { name: 'RegistryError', code: 'illegal_transition' });
        const kept = await passing;
        assert.equal(kept.revision, 1);
        assert.equal(store.services.get('doomed'), undefined);
        assert.equal(store.services.get('kept')?.name, 'kept');
        const logged = await store.eventsSince(asRevision(0), 10);
        assert.deepEqual(logged.map((e) => eventServiceName(e)), ['kept']);
      }));

    it('resolves 200 concurrent writes with distinct consecutive revisions', () =>
      withStore(async (store) => {
        const names = Array.from({ length: 200 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
        const results = await Promise.all(names.map((name) => store.write((tx) => register(tx, name))));
        const revisions = results.map((r) => r.revision ?? -1).sort((x, y) => x - y);
        assert.deepEqual(revisions, Array.from({ length: 200 }, (_, i) => i + 1));
        assert.equal(store.revision, 200);
        assert.equal(store.services.size, 200);
        for (const result of results) assert.equal(result.events[0]?.revision, result.revision);
      }));
  });

  describe('Store conformance - event log', () => {
    it('returns exactly the events after a revision, oldest first', () =>
      withStore(async (store) => {
        for (const name of ['a', 'b', 'c', 'd']) await store.write((tx) => register(tx, name));
        await store.write((tx) => deregister(tx, 'b'));
        const missed = await store.eventsSince(asRevision(2), 100);
        assert.deepEqual(
          missed.map((e) => [e.revision, e.type, eventServiceName(e)]),
          [
            [3, 'ServiceRegistered', 'c'],
            [4, 'ServiceRegistered', 'd'],
            [5, 'ServiceDeregistered', 'b'],
          ],
        );
        assert.deepEqual(await store.eventsSince(asRevision(5), 100), []);
      }));

    it('returns at most the limit asked for', () =>
      withStore(async (store) => {
        for (const name of ['a', 'b', 'c']) await store.write((tx) => register(tx, name));
        const first = await store.eventsSince(asRevision(0), 2);
        assert.deepEqual(revisionsOf(first), [1, 2]);
      }));

    it('returns events equal to those the write resolved with', () =>
      withStore(async (store) => {
        const { events } = await store.write((tx) => register(tx, 'a', { description: 'first' }));
        assert.deepEqual(await store.eventsSince(asRevision(0), 10), events);
      }));
  });

  describe('Store conformance - commit listeners', () => {
    it('calls a listener after the commit, when reads already show the change', () =>
      withStore(async (store) => {
        const delivered = nextValue<{ events: readonly CommittedEvent[]; revision: number; port?: number }>(
          (deliver) =>
            store.onCommit((events) =>
              deliver({ events, revision: store.revision, port: store.services.get('a')?.port }),
            ),
        );
        const written = await store.write((tx) => register(tx, 'a', { port: 7000 }));
        const call = await delivered;
        assert.deepEqual(call.events, written.events);
        assert.equal(call.revision, 1);
        assert.equal(call.port, 7000);
      }));

    it('delivers the events of concurrent writes once each, in revision order', () =>
      withStore(async (store) => {
        const delivered = collectEvents(store, 3);
        await Promise.all(['a', 'b', 'c'].map((name) => store.write((tx) => register(tx, name))));
        const events = await delivered;
        assert.deepEqual(revisionsOf(events), [1, 2, 3]);
      }));

    it('keeps other listeners and the store working when a listener throws', () =>
      withStore(async (store) => {
        const warnings: unknown[] = [];
        const onWarning = (warning: Error): void => {
          warnings.push(warning);
        };
        process.on('warning', onWarning);
        try {
          store.onCommit(() => {
            throw new Error('listener bug');
          });
          const delivered = nextValue<readonly CommittedEvent[]>((deliver) => store.onCommit(deliver));
          await store.write((tx) => register(tx, 'a'));
          const first = (await delivered)[0];
          assert.equal(first === undefined ? undefined : eventServiceName(first), 'a');
          const again = await store.write((tx) => register(tx, 'b'));
          assert.equal(again.revision, 2);
        } finally {
          process.off('warning', onWarning);
        }
      }));

    it('stops calling a listener once it unsubscribes', () =>
      withStore(async (store) => {
        let calls = 0;
        const stop = store.onCommit(() => {
          calls += 1;
        });
        await store.write((tx) => register(tx, 'a'));
        const delivered = nextValue<readonly CommittedEvent[]>((deliver) => store.onCommit(deliver));
        stop();
        await store.write((tx) => register(tx, 'b'));
        await delivered;
        assert.equal(calls, 1);
      }));
  });

  describe('Store conformance - close', () => {
    it('rejects writes after close with unavailable', () =>
      withStore(async (store) => {
        await store.write((tx) => register(tx, 'a'));
        await store.close();
        await assert.rejects(
          store.write((tx) => register(tx, 'b')),
          (error: unknown) => error instanceof RegistryError && error.code === 'unavailable',
        );
      }));

    it('closes once however often close is called, and resolves closed', () =>
      withStore(async (store) => {
        await Promise.all([store.close(), store.close()]);
        await store.close();
        assert.equal(await store.closed, undefined);
      }));

    it('keeps tokens with and without an expiry across a reopen, and deletes them', async () => {
      const opened = await open();
      let store: Store = opened.store;
      try {
        const lasting = { name: 'ci', role: 'write', hash: 'a'.repeat(64), createdAt: T0 } as const;
        const brief = { name: 'ui-1', role: 'read', hash: 'b'.repeat(64), createdAt: T0, expiresAt: T0 + 3_600_000 } as const;
        await store.write(async (tx) => {
          await tx.tokens.put(lasting);
          await tx.tokens.put(brief);
        });
        assert.deepEqual(store.tokens.list(), [lasting, brief]);
        if (opened.reopen !== undefined) store = await opened.reopen();
        assert.deepEqual(store.tokens.list(), [lasting, brief]);
        assert.deepEqual(store.tokens.byHash('b'.repeat(64)), brief);
        await store.write(async (tx) => void (await tx.tokens.delete('ui-1')));
        assert.deepEqual(store.tokens.list(), [lasting]);
      } finally {
        await store.close();
        await opened.close();
      }
    });

    it('finishes a write already running when close is called', () =>
      withStore(async (store) => {
        let closing: Promise<void> | undefined;
        const written = await store.write(async (tx) => {
          closing = store.close();
          return register(tx, 'a');
        });
        assert.equal(written.revision, 1);
        await closing;
        assert.equal(await store.closed, undefined);
      }));
  });
}
