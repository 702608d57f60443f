/**
 * IP allocations as the store keeps them: the held addresses, and per network where its
 * allocator stands (a cursor and a list of released addresses). The store does no address
 * arithmetic: addresses are canonical text and the cursor a decimal string; src/ipam does the math.
 */

/** One address held by an owner in a network. An owner holds at most one address per network. */
export interface IpAllocation {
  readonly network: string;
  /** Canonical text (src/ipam formats it). */
  readonly address: string;
  readonly owner: string;
  /** Milliseconds since the epoch. */
  readonly allocatedAt: number;
}

/** Where a network's allocator stands, persisted so an allocation never scans the address space. */
export interface IpPoolState {
  readonly network: string;
  /** The canonical CIDR the cursor counts in; a different CIDR in the configuration starts afresh. */
  readonly cidr: string;
  /** The next never-used offset from the network address, as a decimal string (IPv6 offsets exceed 2^53). */
  readonly cursor: string;
}

/** Committed allocations, served from memory. */
export interface AllocationReadView {
  byOwner(network: string, owner: string): IpAllocation | undefined;
  byAddress(network: string, address: string): IpAllocation | undefined;
  /** The allocations of one network, or of all; in no particular order. */
  list(network?: string): readonly IpAllocation[];
  /** How many addresses the network holds. */
  count(network: string): number;
}

/** What a write may do with allocations; reads see the write's own changes and the batch's earlier ones. */
export interface AllocationWriter {
  byOwner(network: string, owner: string): Promise<IpAllocation | undefined>;
  byAddress(network: string, address: string): Promise<IpAllocation | undefined>;
  /** Everything `owner` holds, in any network. */
  ownedBy(owner: string): Promise<readonly IpAllocation[]>;
  /** Rejects with `address_unavailable` when the address is held by another owner or the owner holds another address. */
  put(allocation: IpAllocation): Promise<void>;
  /** Resolves true when the address was held. */
  delete(network: string, address: string): Promise<boolean>;
  pool(network: string): Promise<IpPoolState | undefined>;
  putPool(pool: IpPoolState): Promise<void>;
  /** The longest-released address still on the network's free list. */
  firstFree(network: string): Promise<string | undefined>;
  addFree(network: string, address: string): Promise<void>;
  removeFree(network: string, address: string): Promise<void>;
}

/** One network's allocation changes; `null` removes. */
export interface NetworkAllocationChanges {
  readonly byAddress: Map<string, IpAllocation | null>;
  readonly byOwner: Map<string, IpAllocation | null>;
}

/** A layer of allocation changes: one write's, or a whole batch's. Free entries: true added, false removed. */
export class AllocationChanges {
  readonly allocations = new Map<string, NetworkAllocationChanges>();
  readonly pools = new Map<string, IpPoolState>();
  readonly free = new Map<string, Map<string, boolean>>();

  get isEmpty(): boolean {
    return this.allocations.size === 0 && this.pools.size === 0 && this.free.size === 0;
  }

  network(network: string): NetworkAllocationChanges {
    let changes = this.allocations.get(network);
    if (changes === undefined) {
      changes = { byAddress: new Map(), byOwner: new Map() };
      this.allocations.set(network, changes);
    }
    return changes;
  }

  freeOf(network: string): Map<string, boolean> {
    let entries = this.free.get(network);
    if (entries === undefined) {
      entries = new Map();
      this.free.set(network, entries);
    }
    return entries;
  }

  /** Lays `later` over this layer. */
  merge(later: AllocationChanges): void {
    for (const [network, changes] of later.allocations) {
      const mine = this.network(network);
      for (const [address, allocation] of changes.byAddress) mine.byAddress.set(address, allocation);
      for (const [owner, allocation] of changes.byOwner) mine.byOwner.set(owner, allocation);
    }
    for (const [network, pool] of later.pools) this.pools.set(network, pool);
    for (const [network, entries] of later.free) {
      const mine = this.freeOf(network);
      for (const [address, present] of entries) mine.set(address, present);
    }
  }
}

interface NetworkState {
  readonly byAddress: Map<string, IpAllocation>;
  readonly byOwner: Map<string, IpAllocation>;
  /** Released addresses in release order (a Map keeps insertion order). */
  readonly free: Map<string, true>;
  pool: IpPoolState | undefined;
}

/** What a store loads at open. */
export interface AllocationSnapshot {
  readonly allocations: readonly IpAllocation[];
  readonly pools: readonly IpPoolState[];
  /** In release order. */
  readonly free: readonly { readonly network: string; readonly address: string }[];
}

/** The committed allocation state in memory; a store applies each batch's changes after COMMIT. */
export class MemoryAllocationView implements AllocationReadView {
  readonly #networks = new Map<string, NetworkState>();

  constructor(snapshot: AllocationSnapshot = { allocations: [], pools: [], free: [] }) {
    for (const allocation of snapshot.allocations) this.#put(allocation);
    for (const pool of snapshot.pools) this.#state(pool.network).pool = pool;
    for (const { network, address } of snapshot.free) this.#state(network).free.set(address, true);
  }

  byOwner(network: string, owner: string): IpAllocation | undefined {
    return this.#networks.get(network)?.byOwner.get(owner);
  }

  byAddress(network: string, address: string): IpAllocation | undefined {
    return this.#networks.get(network)?.byAddress.get(address);
  }

  list(network?: string): readonly IpAllocation[] {
    if (network !== undefined) return [...(this.#networks.get(network)?.byAddress.values() ?? [])];
    return [...this.#networks.values()].flatMap((state) => [...state.byAddress.values()]);
  }

  count(network: string): number {
    return this.#networks.get(network)?.byAddress.size ?? 0;
  }

  /** Every network with any state, for lookups across networks. */
  networkNames(): IterableIterator<string> {
    return this.#networks.keys();
  }

  pool(network: string): IpPoolState | undefined {
    return this.#networks.get(network)?.pool;
  }

  /** The network's free list in release order. */
  freeList(network: string): IterableIterator<string> {
    return (this.#networks.get(network)?.free ?? new Map<string, true>()).keys();
  }

  apply(changes: AllocationChanges): void {
    for (const [network, { byAddress }] of changes.allocations) {
      const state = this.#state(network);
      // Removals first: a batch may move an address between owners in either order.
      for (const address of byAddress.keys()) {
        const old = state.byAddress.get(address);
        if (old === undefined) continue;
        state.byAddress.delete(address);
        if (state.byOwner.get(old.owner)?.address === address) state.byOwner.delete(old.owner);
      }
      for (const allocation of byAddress.values()) if (allocation !== null) this.#put(allocation);
    }
    for (const [network, pool] of changes.pools) this.#state(network).pool = pool;
    for (const [network, entries] of changes.free) {
      const { free } = this.#state(network);
      for (const [address, present] of entries) {
        if (present) free.set(address, true);
        else free.delete(address);
      }
    }
  }

  #state(network: string): NetworkState {
    let state = this.#networks.get(network);
    if (state === undefined) {
      state = { byAddress: new Map(), byOwner: new Map(), free: new Map(), pool: undefined };
      this.#networks.set(network, state);
    }
    return state;
  }

  #put(allocation: IpAllocation): void {
    const state = this.#state(allocation.network);
    state.byAddress.set(allocation.address, allocation);
    state.byOwner.set(allocation.owner, allocation);
  }
}
