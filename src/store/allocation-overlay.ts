import { RegistryError } from '../domain/index.js';
import type {
  AllocationChanges,
  AllocationWriter,
  IpAllocation,
  IpPoolState,
  MemoryAllocationView,
} from './allocations.js';
import { throughLayers } from './view.js';

/**
 * One write's view of allocations: the committed view, the batch's earlier successful writes,
 * then its own changes (`own`), which reach the database only if the write function succeeds.
 * Shared by every backend; `run` turns a synchronous throw into a rejection and refuses use after the write.
 */
export function overlayAllocationWriter(
  committed: MemoryAllocationView,
  batch: AllocationChanges,
  own: AllocationChanges,
  run: <T>(body: () => T) => Promise<T>,
): AllocationWriter {
  const overlay = new AllocationOverlay(committed, batch, own);
  return {
    byOwner: (network, owner) => run(() => overlay.byOwner(network, owner)),
    byAddress: (network, address) => run(() => overlay.byAddress(network, address)),
    ownedBy: (owner) => run(() => overlay.ownedBy(owner)),
    put: (allocation) => run(() => overlay.put(allocation)),
    delete: (network, address) => run(() => overlay.remove(network, address)),
    pool: (network) =>
      run((): IpPoolState | undefined => own.pools.get(network) ?? batch.pools.get(network) ?? committed.pool(network)),
    putPool: (pool) => run(() => void own.pools.set(pool.network, pool)),
    firstFree: (network) => run(() => overlay.firstFree(network)),
    addFree: (network, address) => run(() => void own.freeOf(network).set(address, true)),
    removeFree: (network, address) => run(() => void own.freeOf(network).set(address, false)),
  };
}

/** The reads and checks behind the writer, synchronous over the three layers. */
class AllocationOverlay {
  readonly #layers: readonly AllocationChanges[];

  constructor(
    private readonly committed: MemoryAllocationView,
    private readonly batch: AllocationChanges,
    private readonly own: AllocationChanges,
  ) {
    this.#layers = [own, batch];
  }

  byOwner(network: string, owner: string): IpAllocation | undefined {
    const layered = this.#layers.map((l) => l.allocations.get(network)?.byOwner.get(owner));
    return throughLayers(layered, () => this.committed.byOwner(network, owner));
  }

  byAddress(network: string, address: string): IpAllocation | undefined {
    const layered = this.#layers.map((l) => l.allocations.get(network)?.byAddress.get(address));
    return throughLayers(layered, () => this.committed.byAddress(network, address));
  }

  ownedBy(owner: string): IpAllocation[] {
    const networks = new Set([...this.committed.networkNames(), ...this.batch.allocations.keys(), ...this.own.allocations.keys()]);
    return [...networks].flatMap((network) => this.byOwner(network, owner) ?? []);
  }

  put(allocation: IpAllocation): void {
    const { network, address, owner } = allocation;
    const holder = this.byAddress(network, address);
    const held = this.byOwner(network, owner);
    if ((holder !== undefined && holder.owner !== owner) || (held !== undefined && held.address !== address)) {
      const who = holder !== undefined && holder.owner !== owner ? `${address} is held by '${holder.owner}'` : `'${owner}' holds ${held?.address ?? ''}`;
      throw new RegistryError('address_unavailable', `cannot store ${address} for '${owner}' in ${network}: ${who}`, {
        details: { network, address, owner },
      });
    }
    const changes = this.own.network(network);
    changes.byAddress.set(address, allocation);
    changes.byOwner.set(owner, allocation);
  }

  remove(network: string, address: string): boolean {
    const existing = this.byAddress(network, address);
    if (existing === undefined) return false;
    const changes = this.own.network(network);
    changes.byAddress.set(address, null);
    changes.byOwner.set(existing.owner, null);
    return true;
  }

  /** The longest-released entry still free: committed ones first, then the batch's, then this write's. */
  firstFree(network: string): string | undefined {
    const ownFree = this.own.free.get(network);
    const batchFree = this.batch.free.get(network);
    for (const address of this.committed.freeList(network)) {
      if (ownFree?.get(address) ?? batchFree?.get(address) ?? true) return address;
    }
    for (const [address, present] of batchFree ?? []) if (present && (ownFree?.get(address) ?? true)) return address;
    for (const [address, present] of ownFree ?? []) if (present) return address;
    return undefined;
  }
}
