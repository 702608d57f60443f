import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryError } from '../../src/domain/index.js';
import { measureAllocationCost } from '../../src/ipam/index.js';
import { type StoreFolder, storeFolder } from './support.js';

describe('measureAllocationCost', () => {
  let folder: StoreFolder;
  before(async () => {
    folder = await storeFolder();
  });
  after(() => folder.close());

  it('holds the live allocations asked for, spilling what a small network cannot hold into the overflow one', async () => {
    const store = await folder.open(folder.fresh());
    try {
      const cost = await measureAllocationCost({
        store,
        network: { name: 'small', kind: 'lan', cidr: '10.0.0.0/24' },
        overflow: { name: 'spill', kind: 'lan', cidr: '10.128.0.0/16' },
        live: 600,
        samples: 20,
      });
      assert.deepEqual([cost.liveInNetwork, cost.liveTotal, cost.samples, cost.cidr], [234, 600, 20, '10.0.0.0/24']);
      assert.equal(store.allocations.count('small'), 254);
      assert.equal(store.allocations.count('spill'), 366);
      assert.ok(cost.compute.meanMicros > 0 && cost.write.p99Micros >= cost.write.p50Micros);
    } finally {
      await store.close();
    }
  });

  it('refuses live allocations that fit nowhere', async () => {
    const store = await folder.open(folder.fresh());
    try {
      const attempt = measureAllocationCost({ store, network: { name: 'small', kind: 'lan', cidr: '10.0.0.0/24' }, live: 1000, samples: 10 });
      await assert.rejects(attempt, (error: unknown) => error instanceof RegistryError && error.code === 'invalid_params');
    } finally {
      await store.close();
    }
  });
});
