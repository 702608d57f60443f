import {
  addressAt,
  type Cidr,
  cidrContains,
  cidrsOverlap,
  formatIp,
  IPV4_MAPPED_BLOCK,
  type IpAddress,
  parseCidr,
  parseIp,
} from '../domain/index.js';

export const ipNetworkKinds = ['wireguard', 'lan'] as const;
export type IpNetworkKind = (typeof ipNetworkKinds)[number];

/** A `[[network]]` table as the configuration states it (a type alias, so it is also a plain table). */
export type NetworkDefinition = {
  readonly name: string;
  readonly kind: IpNetworkKind;
  readonly cidr: string;
  readonly gateway?: string;
  /** Single addresses (`10.8.0.5`) and inclusive ranges (`10.8.0.10-10.8.0.20`) never handed out. */
  readonly reserved?: readonly string[];
};

/** Why an address is never handed out. */
export type ExclusionKind = 'network' | 'broadcast' | 'anycast' | 'ipv4_mapped' | 'gateway' | 'reserved';

/** Inclusive offsets from the network address. */
export interface OffsetRange {
  readonly first: bigint;
  readonly last: bigint;
  readonly kind: ExclusionKind;
  /** Why these addresses are never handed out: `network address`, `gateway`, `reserved 10.8.0.10-10.8.0.20`. */
  readonly why: string;
}

/** A definition checked and turned into arithmetic: what the allocator works with. */
export interface Network {
  readonly definition: NetworkDefinition;
  readonly name: string;
  readonly kind: IpNetworkKind;
  readonly cidr: Cidr;
  /** Excluded offsets, sorted, disjoint and not adjacent (adjacent ranges are merged). */
  readonly excluded: readonly OffsetRange[];
  /** The exclusions as stated (network, broadcast, gateway, each reserved entry), to say why an address is excluded. */
  readonly exclusions: readonly OffsetRange[];
  /** How many addresses can be handed out. */
  readonly capacity: bigint;
}

export interface NetworkIssue {
  /** The field of the definition at fault: `cidr`, `gateway`, `reserved[2]`. */
  readonly field: string;
  readonly message: string;
}

export type CompileResult = { readonly ok: true; readonly network: Network } | { readonly ok: false; readonly issues: readonly NetworkIssue[] };

/**
 * The addresses a block never hands out by its own rules. IPv4: the network and broadcast
 * addresses, except in a /31 (RFC 3021: both usable on a point-to-point link) and a /32.
 * IPv6 has no broadcast: only the subnet-router anycast address (offset 0) is excluded, except
 * in a /127 (RFC 6164) and a /128.
 */
function structuralExclusions(cidr: Cidr): OffsetRange[] {
  const hostBits = (cidr.family === 4 ? 32 : 128) - cidr.prefix;
  if (hostBits <= 1) return [];
  if (cidr.family === 6) return [{ first: 0n, last: 0n, kind: 'anycast', why: 'the subnet-router anycast address' }, ...mappedExclusion(cidr)];
  const last = cidr.size - 1n;
  return [
    { first: 0n, last: 0n, kind: 'network', why: 'the network address' },
    { first: last, last, kind: 'broadcast', why: 'the broadcast address' },
  ];
}

/**
 * An IPv6 block wide enough to span `::ffff:0:0/96` (`::/80`, say) never hands those out: they
 * are IPv4 addresses (src/domain/ip.ts), so their text would not even read back as inside the block.
 */
function mappedExclusion(cidr: Cidr): OffsetRange[] {
  if (!cidrsOverlap(cidr, IPV4_MAPPED_BLOCK)) return [];
  const first = IPV4_MAPPED_BLOCK.base - cidr.base;
  return [{ first, last: first + IPV4_MAPPED_BLOCK.size - 1n, kind: 'ipv4_mapped', why: `in the IPv4-mapped block ${IPV4_MAPPED_BLOCK.text}` }];
}

/** One `reserved` entry: an address or `first-last`, both ends inside the block. */
function reservedRange(cidr: Cidr, entry: string): OffsetRange | string {
  const [startText = '', endText, extra] = entry.split('-').map((part) => part.trim());
  if (extra !== undefined) return `"${entry}" must be an address or a range "first-last"`;
  const start = parseIp(startText);
  const end = endText === undefined ? start : parseIp(endText);
  if (start === undefined || end === undefined) return `"${entry}" must be an address or a range "first-last" of addresses`;
  for (const address of [start, end]) {
    if (!cidrContains(cidr, address)) return `${formatIp(address)} is outside ${cidr.text}`;
  }
  if (end.value < start.value) return `"${entry}" ends before it starts`;
  const why = endText === undefined ? `reserved (${formatIp(start)})` : `reserved (${formatIp(start)}-${formatIp(end)})`;
  return { first: start.value - cidr.base, last: end.value - cidr.base, kind: 'reserved', why };
}

/** Sorts and merges overlapping or adjacent ranges (the merged range keeps the first one's reason). */
function mergeRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: OffsetRange[] = [];
  for (const range of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && range.first <= previous.last + 1n) {
      if (range.last > previous.last) merged[merged.length - 1] = { ...previous, last: range.last };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** Checks one definition and computes its exclusions; every problem is reported, each with its field. */
export function compileNetwork(definition: NetworkDefinition): CompileResult {
  const parsed = parseCidr(definition.cidr);
  if (!parsed.ok) return { ok: false, issues: [{ field: 'cidr', message: parsed.reason }] };
  const { cidr } = parsed;
  const issues: NetworkIssue[] = [];
  const ranges = structuralExclusions(cidr);
  if (definition.gateway !== undefined) {
    const gateway = parseIp(definition.gateway);
    if (gateway === undefined) issues.push({ field: 'gateway', message: `"${definition.gateway}" is not an IP address` });
    else if (!cidrContains(cidr, gateway)) issues.push({ field: 'gateway', message: `${formatIp(gateway)} is outside ${cidr.text}` });
    else ranges.push({ first: gateway.value - cidr.base, last: gateway.value - cidr.base, kind: 'gateway', why: 'the gateway' });
  }
  for (const [index, entry] of (definition.reserved ?? []).entries()) {
    const range = reservedRange(cidr, entry);
    if (typeof range === 'string') issues.push({ field: `reserved[${index}]`, message: range });
    else ranges.push(range);
  }
  if (issues.length > 0) return { ok: false, issues };
  const excluded = mergeRanges(ranges);
  const capacity = excluded.reduce((left, r) => left - (r.last - r.first + 1n), cidr.size);
  const { name, kind } = definition;
  return { ok: true, network: { definition, name, kind, cidr, excluded, exclusions: ranges, capacity } };
}

/** The excluded range holding `offset`, by binary search over the sorted ranges. */
export function exclusionAt(network: Network, offset: bigint): OffsetRange | undefined {
  const { excluded } = network;
  let low = 0;
  let high = excluded.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const range = excluded[middle];
    if (range === undefined) return undefined;
    if (offset < range.first) high = middle - 1;
    else if (offset > range.last) low = middle + 1;
    else return range;
  }
  return undefined;
}

/**
 * The smallest offset ≥ `from` that may be handed out, or undefined past the end. One jump
 * at most: excluded ranges are merged, so the offset after one is never excluded.
 */
export function nextUsableOffset(network: Network, from: bigint): bigint | undefined {
  const start = from < 0n ? 0n : from;
  const range = exclusionAt(network, start);
  const offset = range === undefined ? start : range.last + 1n;
  return offset < network.cidr.size ? offset : undefined;
}

export interface Unusable {
  readonly kind: 'outside' | ExclusionKind;
  /** E.g. `10.8.0.1 is the gateway of wg0`. */
  readonly message: string;
}

/** Why `address` can never be handed out in `network`, or undefined when it can. */
export function unusableReason(network: Network, address: IpAddress): Unusable | undefined {
  if (!cidrContains(network.cidr, address)) return { kind: 'outside', message: `${formatIp(address)} is outside ${network.cidr.text}` };
  const offset = address.value - network.cidr.base;
  if (exclusionAt(network, offset) === undefined) return undefined;
  // Excluded: the stated exclusion (at most the configured reserved entries) says why.
  const range = network.exclusions.find((r) => offset >= r.first && offset <= r.last);
  const why = range?.why ?? 'reserved';
  return { kind: range?.kind ?? 'reserved', message: `${formatIp(address)} is ${why} of ${network.name}` };
}

/** The address at `offset` of the network, as canonical text. */
export const addressText = (network: Network, offset: bigint): string => formatIp(addressAt(network.cidr, offset));

export interface NetworkSetIssue {
  /** Index of the definition at fault. */
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/** A `[[network]]` list compiled once: every network that compiled, and every problem of the list. */
export interface CompiledNetworks {
  readonly networks: readonly Network[];
  readonly issues: readonly NetworkSetIssue[];
}

type Indexed = { readonly index: number; readonly network: Network };

/** Names must be unique: the second use of one is the issue. */
function duplicateName(seen: Map<string, number>, index: number, name: string): NetworkSetIssue[] {
  const first = seen.get(name);
  if (first === undefined) {
    seen.set(name, index);
    return [];
  }
  return [{ index, field: 'name', message: `duplicate network name "${name}" (first defined as network[${first}])` }];
}

/** No two blocks may overlap: the later one of a pair is the issue. */
function overlapIssues(compiled: readonly Indexed[]): NetworkSetIssue[] {
  const issues: NetworkSetIssue[] = [];
  for (const [i, a] of compiled.entries()) {
    for (const b of compiled.slice(i + 1)) {
      if (!cidrsOverlap(a.network.cidr, b.network.cidr)) continue;
      const message = `network "${b.network.name}" (${b.network.cidr.text}) overlaps network "${a.network.name}" (${a.network.cidr.text})`;
      issues.push({ index: b.index, field: 'cidr', message });
    }
  }
  return issues;
}

/** Compiles a whole `[[network]]` list, each definition once: unique names, and no two blocks overlapping. */
export function compileNetworks(definitions: readonly NetworkDefinition[]): CompiledNetworks {
  const issues: NetworkSetIssue[] = [];
  const seen = new Map<string, number>();
  const compiled: Indexed[] = [];
  for (const [index, definition] of definitions.entries()) {
    issues.push(...duplicateName(seen, index, definition.name));
    const result = compileNetwork(definition);
    if (result.ok) compiled.push({ index, network: result.network });
    else issues.push(...result.issues.map((issue) => ({ index, ...issue })));
  }
  issues.push(...overlapIssues(compiled));
  return { networks: compiled.map(({ network }) => network), issues };
}

/** The list-wide rules (unique names, disjoint blocks) over networks compiled already. */
export function networkSetIssues(networks: readonly Network[]): NetworkSetIssue[] {
  const seen = new Map<string, number>();
  const names = networks.flatMap((network, index) => duplicateName(seen, index, network.name));
  return [...names, ...overlapIssues(networks.map((network, index) => ({ index, network })))];
}
