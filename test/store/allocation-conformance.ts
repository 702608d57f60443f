import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../src/domain/index.js';
import type { IpAllocation, Store, WriteTx } from '../../src/store/index.js';
import type { StoreConformanceOptions } from './conformance.js';
import { storeRunner } from './fixtures.js';

const held = (network: string, address: string, owner: string): IpAllocation => ({ network, address, owner, allocatedAt: 1 });

/** A write that takes `address` for `owner` and says so, as src/ipam does. */
async function take(tx: WriteTx, allocation: IpAllocation): Promise<void> {
  await tx.allocations.put(allocation);
  tx.emit({ type: 'IpAllocated', network: allocation.network, owner: allocation.owner, address: allocation.address });
}

const addressesOf = (store: Store, network?: string): string[] =>
  store.allocations
    .list(network)
    .map((a) => `${a.network}/${a.address}=${a.owner}`)
    .sort();

/** IP allocations as every Store keeps them (README "IP allocation"); called from runStoreConformance. */
export function runAllocationConformance({ open }: StoreConformanceOptions): void {
  const withStore = storeRunner({ open });

  describe('Store conformance - IP allocations', () => {
    it('keeps allocations by network, owner and address, and shows them once committed', () =>
      withStore(async (store) => {
        const { value: seenInside } = await store.write(async (tx) => {
          await take(tx, held('wg0', '10.8.0.2', 'a'));
          await take(tx, held('lan', '192.168.1.2', 'a'));
          return { own: await tx.allocations.byOwner('wg0', 'a'), view: store.allocations.byOwner('wg0', 'a') };
        });
        assert.equal(seenInside.own?.address, '10.8.0.2');
        assert.equal(seenInside.view, undefined);
        assert.equal(store.allocations.byAddress('wg0', '10.8.0.2')?.owner, 'a');
        assert.equal(store.allocations.count('wg0'), 1);
        assert.deepEqual(addressesOf(store), ['lan/192.168.1.2=a', 'wg0/10.8.0.2=a']);
        const { value: owned } = await store.write((tx) => tx.allocations.ownedBy('a'));
        assert.deepEqual(owned.map((a) => a.network).sort(), ['lan', 'wg0']);
      }));

    it('refuses an address held by another owner, and a second address for one owner', () =>
      withStore(async (store) => {
        await store.write((tx) => take(tx, held('wg0', '10.8.0.2', 'a')));
        const taken = store.write((tx) => take(tx, held('wg0', '10.8.0.2', 'b')));
        await assert.rejects(taken, (error: unknown) => error instanceof RegistryError && error.code === 'address_unavailable');
        const second = store.write((tx) => take(tx, held('wg0', '10.8.0.3', 'a')));
        await assert.rejects(second, (error: unknown) => error instanceof RegistryError && error.code === 'address_unavailable');
        assert.deepEqual(addressesOf(store), ['wg0/10.8.0.2=a']);
      }));

    it('lets one batch swap two addresses between owners', () =>
      withStore(async (store) => {
        await store.write(async (tx) => {
          await take(tx, held('wg0', '10.8.0.2', 'a'));
          await take(tx, held('wg0', '10.8.0.3', 'b'));
        });
        const swaps = [
          store.write(async (tx) => {
            await tx.allocations.delete('wg0', '10.8.0.2');
            await tx.allocations.delete('wg0', '10.8.0.3');
          }),
          store.write((tx) => take(tx, held('wg0', '10.8.0.2', 'b'))),
          store.write((tx) => take(tx, held('wg0', '10.8.0.3', 'a'))),
        ];
        await Promise.all(swaps);
        assert.deepEqual(addressesOf(store), ['wg0/10.8.0.2=b', 'wg0/10.8.0.3=a']);
      }));

    it('answers delete with false for an address nobody holds', () =>
      withStore(async (store) => {
        const { value, revision } = await store.write((tx) => tx.allocations.delete('wg0', '10.8.0.9'));
        assert.equal(value, false);
        assert.equal(revision, undefined);
      }));

    it('keeps each network free list in release order, seen through the batch and the write', () =>
      withStore(async (store) => {
        await store.write(async (tx) => {
          await tx.allocations.addFree('wg0', '10.8.0.7');
          await tx.allocations.addFree('wg0', '10.8.0.3');
        });
        const [second, third] = await Promise.all([
          store.write(async (tx) => {
            await tx.allocations.removeFree('wg0', '10.8.0.7');
            await tx.allocations.addFree('wg0', '10.8.0.9');
            return tx.allocations.firstFree('wg0');
          }),
          store.write(async (tx) => {
            const first = await tx.allocations.firstFree('wg0');
            await tx.allocations.removeFree('wg0', '10.8.0.3');
            return [first, await tx.allocations.firstFree('wg0'), await tx.allocations.firstFree('lan')];
          }),
        ]);
        assert.equal(second.value, '10.8.0.3');
        assert.deepEqual(third.value, ['10.8.0.3', '10.8.0.9', undefined]);
        const { value } = await store.write((tx) => tx.allocations.firstFree('wg0'));
        assert.equal(value, '10.8.0.9');
      }));

    it('keeps the pool state a write put, and nothing of a write that failed', () =>
      withStore(async (store) => {
        await store.write((tx) => tx.allocations.putPool({ network: 'wg0', cidr: '10.8.0.0/24', cursor: '18446744073709551617' }));
        const failed = store.write(async (tx) => {
          await tx.allocations.putPool({ network: 'wg0', cidr: '10.8.0.0/24', cursor: '3' });
          await take(tx, held('wg0', '10.8.0.2', 'a'));
          await tx.allocations.addFree('wg0', '10.8.0.1');
          throw new RegistryError('invalid_params', 'changed my mind');
        });
        await assert.rejects(failed, { code: 'invalid_params' });
        const { value } = await store.write(async (tx) => [await tx.allocations.pool('wg0'), await tx.allocations.firstFree('wg0')]);
        assert.deepEqual(value, [{ network: 'wg0', cidr: '10.8.0.0/24', cursor: '18446744073709551617' }, undefined]);
        assert.equal(store.allocations.count('wg0'), 0);
      }));

    it('stores IpAllocated and IpReleased events in the log', () =>
      withStore(async (store) => {
        await store.write((tx) => take(tx, held('wg0', '10.8.0.2', 'a')));
        await store.write(async (tx) => {
          await tx.allocations.delete('wg0', '10.8.0.2');
          tx.emit({ type: 'IpReleased', network: 'wg0', owner: 'a', address: '10.8.0.2' });
        });
        const events = await store.eventsSince(store.compactRevision, 10);
        assert.deepEqual(
          events.map((e) => [e.type, e.revision]),
          [
            ['IpAllocated', 1],
            ['IpReleased', 2],
          ],
        );
      }));
  });
}
