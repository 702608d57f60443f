import { formatIp, parseIp, RegistryError } from '../domain/index.js';
import type { AllocationWriter, IpAllocation, IpPoolState, WriteTx } from '../store/index.js';
import { type Network, addressText, nextUsableOffset, unusableReason } from './network.js';

/**
 * Allocation inside a store write. Per network the store keeps a cursor (the next never-used
 * offset) and a free list of released addresses. An allocation takes the longest-released free
 * address, else the cursor's next usable offset (network, broadcast, gateway and reserved ranges
 * are skipped by arithmetic over the sorted ranges). Invariant: every usable address below the
 * cursor is either held or on the free list, and the free list holds nothing at or past it — so
 * an empty free list and a cursor at the end mean the network is full, known without a scan.
 */

export interface AllocateRequest {
  readonly network: Network;
  readonly owner: string;
  /** A specific address; it must be free and usable. */
  readonly ip?: string;
  readonly now: number;
}

export interface AllocateResult {
  readonly allocation: IpAllocation;
  /** False when the owner already held the address (allocation is idempotent per owner). */
  readonly created: boolean;
}

const unavailable = (network: Network, ip: string, reason: string, why: string): RegistryError =>
  new RegistryError('address_unavailable', `${ip} cannot be allocated in ${network.name}: ${why}`, {
    details: { network: network.name, ip, reason },
  });

/** The pool as it stands for the network's current CIDR; a CIDR change starts a fresh cursor. */
async function poolOf(allocations: AllocationWriter, network: Network): Promise<{ cursor: bigint }> {
  const pool = await allocations.pool(network.name);
  return { cursor: pool === undefined || pool.cidr !== network.cidr.text ? 0n : BigInt(pool.cursor) };
}

const poolState = (network: Network, cursor: bigint): IpPoolState => ({
  network: network.name,
  cidr: network.cidr.text,
  cursor: cursor.toString(),
});

/** The offset of a free-list entry that may still be handed out, or undefined for a stale one (config changed, taken since). */
async function validFreeOffset(allocations: AllocationWriter, network: Network, cursor: bigint, text: string): Promise<boolean> {
  const address = parseIp(text);
  if (address === undefined || formatIp(address) !== text || unusableReason(network, address) !== undefined) return false;
  if (address.value - network.cidr.base >= cursor) return false;
  return (await allocations.byAddress(network.name, text)) === undefined;
}

/** The next address to hand out, moving the free list or the cursor; throws `network_exhausted` when none is left. */
async function takeNext(allocations: AllocationWriter, network: Network): Promise<string> {
  const { cursor: start } = await poolOf(allocations, network);
  for (let text = await allocations.firstFree(network.name); text !== undefined; text = await allocations.firstFree(network.name)) {
    await allocations.removeFree(network.name, text);
    if (await validFreeOffset(allocations, network, start, text)) return text;
  }
  // Addresses past the cursor are held only when asked for by name; each is stepped over once.
  for (let offset = nextUsableOffset(network, start); offset !== undefined; offset = nextUsableOffset(network, offset + 1n)) {
    const text = addressText(network, offset);
    if ((await allocations.byAddress(network.name, text)) !== undefined) continue;
    await allocations.putPool(poolState(network, offset + 1n));
    return text;
  }
  throw new RegistryError('network_exhausted', `network ${network.name} (${network.cidr.text}) has no free address left`, {
    details: { network: network.name, cidr: network.cidr.text, capacity: network.capacity.toString() },
  });
}

/** Checks a requested address and takes it off the free list; throws `address_unavailable` naming why. */
async function takeRequested(allocations: AllocationWriter, network: Network, ip: string): Promise<string> {
  const address = parseIp(ip);
  if (address === undefined) throw unavailable(network, ip, 'invalid', 'it is not an IP address');
  const text = formatIp(address);
  const reason = unusableReason(network, address);
  if (reason !== undefined) throw unavailable(network, text, reason.kind, reason.message);
  const holder = await allocations.byAddress(network.name, text);
  if (holder !== undefined) throw unavailable(network, text, 'taken', `it is held by '${holder.owner}'`);
  const { cursor } = await poolOf(allocations, network);
  if (address.value - network.cidr.base < cursor) await allocations.removeFree(network.name, text);
  return text;
}

/** Allocates an address to `owner` in the write `tx`, emitting IpAllocated; idempotent per (network, owner). */
export async function allocateAddress(tx: WriteTx, request: AllocateRequest): Promise<AllocateResult> {
  const { network, owner } = request;
  const held = await tx.allocations.byOwner(network.name, owner);
  if (held !== undefined) {
    const wanted = request.ip === undefined ? undefined : parseIp(request.ip);
    if (request.ip !== undefined && (wanted === undefined || formatIp(wanted) !== held.address)) {
      const why = `'${owner}' already holds ${held.address} there; release it first`;
      throw unavailable(network, request.ip, 'owner_holds_another', why);
    }
    return { allocation: held, created: false };
  }
  const address =
    request.ip === undefined ? await takeNext(tx.allocations, network) : await takeRequested(tx.allocations, network, request.ip);
  const allocation: IpAllocation = { network: network.name, address, owner, allocatedAt: request.now };
  await tx.allocations.put(allocation);
  tx.emit({ type: 'IpAllocated', network: network.name, owner, address });
  return { allocation, created: true };
}

/**
 * Releases a held address in the write `tx`, emitting IpReleased. `network` is the definition
 * in force, when there is one: an address behind the cursor goes back on the free list; one
 * at or past it will be reached by the cursor anyway.
 */
export async function releaseAllocation(tx: WriteTx, allocation: IpAllocation, network: Network | undefined): Promise<void> {
  await tx.allocations.delete(allocation.network, allocation.address);
  if (network !== undefined) {
    const address = parseIp(allocation.address);
    const { cursor } = await poolOf(tx.allocations, network);
    if (address !== undefined && unusableReason(network, address) === undefined && address.value - network.cidr.base < cursor) {
      await tx.allocations.addFree(network.name, allocation.address);
    }
  }
  tx.emit({ type: 'IpReleased', network: allocation.network, owner: allocation.owner, address: allocation.address });
}

/** Releases everything `owner` holds, in any network; `networkOf` finds each network's definition. */
export async function releaseOwner(
  tx: WriteTx,
  owner: string,
  networkOf: (name: string) => Network | undefined,
): Promise<readonly IpAllocation[]> {
  const held = await tx.allocations.ownedBy(owner);
  for (const allocation of held) await releaseAllocation(tx, allocation, networkOf(allocation.network));
  return held;
}
