import { RegistryError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { allocateAddress } from './allocate.js';
import { networkCatalog } from './catalog.js';
import { compileNetworks, type Network, type NetworkDefinition } from './network.js';

/** Defaults of `measureAllocationCost`. */
export const DEFAULT_MEASURE_LIVE = 10_000;
export const DEFAULT_MEASURE_SAMPLES = 200;
const PREFILL_PER_WRITE = 500;

export interface AllocationCostOptions {
  /** An open store (e.g. `openStore({ location })` on a temp file); the caller closes it. */
  readonly store: Store;
  /** The network measured. */
  readonly network: NetworkDefinition;
  /**
   * Live allocations held in the store while measuring. As many as fit go into `network`
   * (leaving room for the samples); the rest go into `overflow`.
   * @default 10_000
   */
  readonly live?: number;
  /** Allocations timed, one write each. @default 200 */
  readonly samples?: number;
  /** Takes the live allocations that do not fit in `network` (a /24 holds 253); must not overlap it. */
  readonly overflow?: NetworkDefinition;
}

export interface Timing {
  readonly meanMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
}

export interface AllocationCost {
  readonly network: string;
  readonly cidr: string;
  /** Live allocations in the measured network when sampling began. */
  readonly liveInNetwork: number;
  /** Live allocations in the store when sampling began. */
  readonly liveTotal: number;
  readonly samples: number;
  /** Time inside the write function: the allocator's own cost, independent of disk. */
  readonly compute: Timing;
  /** Time of the whole awaited write, commit included. */
  readonly write: Timing;
}

function timing(micros: readonly number[]): Timing {
  const sorted = [...micros].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return { meanMicros: Math.round(mean * 10) / 10, p50Micros: Math.round(at(0.5) * 10) / 10, p99Micros: Math.round(at(0.99) * 10) / 10 };
}

async function prefill(store: Store, network: Network, count: number, prefix: string): Promise<void> {
  const now = Date.now();
  for (let done = 0; done < count; done += PREFILL_PER_WRITE) {
    const size = Math.min(PREFILL_PER_WRITE, count - done);
    await store.write(async (tx) => {
      for (let i = 0; i < size; i++) await allocateAddress(tx, { network, owner: `${prefix}-${done + i}`, now });
    });
  }
}

/**
 * Measures what one allocation costs in `network` with `live` allocations held: for the
 * benchmark that compares a /8 with a /24. The cost must not grow with the network's size.
 */
export async function measureAllocationCost(options: AllocationCostOptions): Promise<AllocationCost> {
  const live = options.live ?? DEFAULT_MEASURE_LIVE;
  const samples = options.samples ?? DEFAULT_MEASURE_SAMPLES;
  const definitions = options.overflow === undefined ? [options.network] : [options.network, options.overflow];
  const compiled = compileNetworks(definitions);
  const problem = compiled.issues[0];
  if (problem !== undefined) {
    throw new RegistryError('invalid_params', `network[${problem.index}].${problem.field}: ${problem.message}`, { details: { issues: compiled.issues } });
  }
  const catalog = networkCatalog(compiled.networks);
  const network = catalog.require(options.network.name);
  const room = network.capacity - BigInt(samples);
  const inNetwork = room < BigInt(live) ? Number(room < 0n ? 0n : room) : live;
  const overflow = options.overflow === undefined ? undefined : catalog.require(options.overflow.name);
  if (inNetwork < live && (overflow === undefined || overflow.capacity < BigInt(live - inNetwork))) {
    throw new RegistryError('invalid_params', `${network.cidr.text} holds ${network.capacity} addresses: give an overflow network for the other live allocations`, {
      details: { field: 'overflow' },
    });
  }
  await prefill(options.store, network, inNetwork, 'live');
  if (overflow !== undefined) await prefill(options.store, overflow, live - inNetwork, 'overflow');
  const compute: number[] = [];
  const write: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const { value } = await options.store.write(async (tx) => {
      const begun = performance.now();
      await allocateAddress(tx, { network, owner: `sample-${i}`, now: Date.now() });
      return performance.now() - begun;
    });
    compute.push(value * 1000);
    write.push((performance.now() - started) * 1000);
  }
  return {
    network: network.name,
    cidr: network.cidr.text,
    liveInNetwork: inNetwork,
    liveTotal: live,
    samples,
    compute: timing(compute),
    write: timing(write),
  };
}
