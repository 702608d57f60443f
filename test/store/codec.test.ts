import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asRevision, type Service } from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { makeService } from './fixtures.js';

/** What a store keeps of a service and its event (src/store/codec.ts, on a real SQLite file): the same live, read back, and after a restart. */
describe('store codec', () => {
  let dir: string;
  let store: Store;
  const open = () => openStore({ location: join(dir, 'registry.db') });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-codec-'));
    await chmod(dir, 0o755);
    store = await open();
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands listeners the event as the log reads it back, for plain data and for a service with undefined fields', async () => {
    const plain = makeService('plain', { description: 'kept', tags: ['a'], metadata: { k: 'v' } });
    const holey: Service = { ...makeService('holey'), description: undefined, health: undefined };
    const written = await store.write(async (tx) => {
      for (const service of [plain, holey]) {
        await tx.services.put(service);
        tx.emit({ type: 'ServiceRegistered', service });
      }
    });
    const logged = await store.eventsSince(asRevision((written.revision ?? 1) - 1), 10);
    assert.deepEqual(written.events, logged);
    const [first, second] = written.events;
    assert.ok(first?.type === 'ServiceRegistered' && second?.type === 'ServiceRegistered');
    assert.deepEqual(first.service, plain);
    assert.equal('description' in second.service, false, 'an undefined field is dropped, as JSON drops it');
    assert.deepEqual(store.services.get('holey'), second.service);
  });

  it('reads back after a restart the services it held in memory', async () => {
    const held = store.services.list();
    await store.close();
    store = await open();
    assert.deepEqual(store.services.list(), held);
  });

  it('shares one frozen empty list, map and local location among the services it loads', async () => {
    const a = store.services.get('holey');
    const b = store.services.get('plain');
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.dependsOn, b.dependsOn);
    assert.equal(a.location, b.location);
    assert.ok(Object.isFrozen(a.tags) && Object.isFrozen(a.metadata) && Object.isFrozen(a.location));
    assert.deepEqual(b.tags, ['a'], 'a list with items stays its own');
    assert.throws(() => (a.tags as string[]).push('x'), TypeError);
  });
});
