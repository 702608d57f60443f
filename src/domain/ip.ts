/**
 * IP addresses and blocks, IPv4 and IPv6, as BigInt: the one IP module of the program. Topology
 * (placement, resolution, classification), ipam (allocation arithmetic) and the configuration all
 * parse and format addresses here. Pure: no I/O.
 *
 * One canonical text per address, the key allocations are stored under and the form addresses
 * are compared in: a dotted quad for IPv4; RFC 5952 for IPv6 (lowercase, no leading zeros, the
 * longest run of two or more zero groups as `::`, the first on a tie). An IPv4-mapped IPv6
 * address (`::ffff:10.1.2.3`) is the IPv4 address it carries (`10.1.2.3`): dual-stack sockets
 * report IPv4 peers that way, and where a caller is placed, or which address it may allocate or
 * release, must not depend on the socket it happened to arrive on.
 *
 * Why our own code rather than a library such as ipaddr.js: allocation needs arithmetic (offset
 * from the network address, next address, range ends) over 128-bit values, and ipaddr.js parses
 * to byte arrays without offering any of it. Parsing and formatting are property-tested against
 * `node:net` and the WHATWG URL parser (test/domain/ip.test.ts).
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A block of addresses: `base/prefix`, with the host bits of `base` all zero. */
export interface Cidr {
  readonly family: IpFamily;
  /** The network address. */
  readonly base: bigint;
  /** The last address of the block. */
  readonly last: bigint;
  readonly prefix: number;
  /** How many addresses the block spans (2^(bits − prefix)); 2^64 and more for IPv6. */
  readonly size: bigint;
  /** Canonical text, e.g. `10.8.0.0/24` or `fd00::/64`. */
  readonly text: string;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

/** Bits in an address of each family. */
export const familyBits = (family: IpFamily): number => (family === 4 ? 32 : 128);

const IPV4_MAPPED_PREFIX = 96;
const isMapped = (value: bigint): boolean => value >> 32n === 0xffffn;

/**
 * A dotted quad as a number: four decimal octets of 0–255 without leading zeros (`010` reads as
 * octal in some tools). Placement parses addresses on every request, so this reads the
 * characters once rather than splitting and converting each part.
 */
function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      // A digit after a leading zero ("01") or a fourth digit is not a dotted-quad octet.
      if (c < 0x30 || c > 0x39 || (digits > 0 && octet === 0) || digits === 3) return undefined;
      octet = octet * 10 + (c - 0x30);
      digits++;
      if (octet > 255) return undefined;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Hex groups of one side of `::`; a trailing dotted quad counts as two groups. */
function parseGroups(text: string, allowIpv4Tail: boolean): bigint[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: bigint[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIpv4Tail && index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(BigInt(v4 >>> 16), BigInt(v4 & 0xffff));
    } else if (HEX_GROUP.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head = '', tail] = halves;
  const left = parseGroups(head, tail === undefined);
  const right = tail === undefined ? [] : parseGroups(tail, true);
  if (left === undefined || right === undefined) return undefined;
  const given = left.length + right.length;
  if (tail === undefined ? given !== 8 : given > 7) return undefined;
  const groups = [...left, ...Array<bigint>(8 - given).fill(0n), ...right];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/** The address exactly as written: an IPv4-mapped IPv6 literal stays IPv6 here (blocks need that). */
function parseLiteral(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value: BigInt(value) };
}

/**
 * Parses an IPv4 or IPv6 address (no zone, no brackets; see `withoutZone`); undefined when it is
 * neither. An IPv4-mapped IPv6 address is the IPv4 address it carries.
 */
export function parseIp(text: string): IpAddress | undefined {
  const address = parseLiteral(text);
  if (address?.family === 6 && isMapped(address.value)) return { family: 4, value: address.value & 0xffff_ffffn };
  return address;
}

/** `fe80::1%eth0` → `fe80::1`: sockets and interfaces name the zone of a link-local address; it is not part of the address. */
export function withoutZone(text: string): string {
  const zone = text.indexOf('%');
  return zone < 0 ? text : text.slice(0, zone);
}

function formatIpv4(value: bigint): string {
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

function formatIpv6(value: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => (value >> shift) & 0xffffn);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (groups[j] === 0n) j += 1;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (list: readonly bigint[]): string => list.map((g) => g.toString(16)).join(':');
  if (best.start < 0) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** The canonical text of an address (an IPv6 value in the IPv4-mapped block is written as its IPv4 address). */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) return formatIpv4(address.value);
  return isMapped(address.value) ? formatIpv4(address.value & 0xffff_ffffn) : formatIpv6(address.value);
}

/** The canonical text of `text`, or undefined when it is not an address. */
export function canonicalIp(text: string): string | undefined {
  const address = parseIp(text);
  return address === undefined ? undefined : formatIp(address);
}

export const isIpAddress = (text: string): boolean => parseIp(text) !== undefined;

/** An address as sockets and interfaces report it, zone dropped, in canonical text; text that is not an IP is returned as it is. */
export function normaliseAddress(text: string): string {
  // A dotted quad is already canonical: the common case on every request skips the BigInt round trip.
  if (parseIpv4(text) !== undefined) return text;
  return canonicalIp(withoutZone(text)) ?? text;
}

/** Orders address texts: IPv4 before IPv6, then numerically; text that is not an address sorts last, by text. */
export function compareAddresses(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (x === undefined || y === undefined) return x !== undefined ? -1 : y !== undefined ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.family !== y.family) return x.family - y.family;
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
}

/** The block of `prefix` bits holding `address` (host bits cleared); undefined for a prefix the family cannot have. */
export function cidrAround(address: IpAddress, prefix: number): Cidr | undefined {
  const bits = familyBits(address.family);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const base = address.value - (address.value % size);
  const text = `${formatIp({ family: address.family, value: base })}/${prefix}`;
  return { family: address.family, base, last: base + size - 1n, prefix, size, text };
}

/** `address/prefix` read as written; an IPv4-mapped address with a prefix of 96 or more is the IPv4 block it carries. */
function readBlock(address: IpAddress, prefix: number): { readonly address: IpAddress; readonly prefix: number } {
  if (address.family !== 6 || !isMapped(address.value) || prefix < IPV4_MAPPED_PREFIX) return { address, prefix };
  return { address: { family: 4, value: address.value & 0xffff_ffffn }, prefix: prefix - IPV4_MAPPED_PREFIX };
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** A network as configured: `address/prefix`. A block whose address has host bits set is refused, naming the block it probably meant. */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'must be an address and a prefix length, such as 10.8.0.0/24 or fd00::/64' };
  const literal = parseLiteral(text.slice(0, slash));
  if (literal === undefined) return { ok: false, reason: `"${text.slice(0, slash)}" is not an IPv4 or IPv6 address` };
  const prefixText = text.slice(slash + 1);
  const written = PREFIX.test(prefixText) ? Number(prefixText) : Number.NaN;
  const bits = familyBits(literal.family);
  if (!(written >= 0 && written <= bits)) return { ok: false, reason: `the prefix length must be a whole number from 0 to ${bits}` };
  const { address, prefix } = readBlock(literal, written);
  const cidr = cidrAround(address, prefix);
  if (cidr === undefined) throw new Error(`prefix ${prefix} was checked against ${bits} bits`);
  if (cidr.base !== address.value) return { ok: false, reason: `host bits are set; the network is ${cidr.text}` };
  return { ok: true, cidr };
}

/**
 * A block as interfaces and callers state it: `10.1.2.3/24` is the block `10.1.2.0/24` (host bits
 * cleared), and a bare address is a single-address block. Undefined when it is neither.
 */
export function parseBlock(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseIp(text);
    return address === undefined ? undefined : cidrAround(address, familyBits(address.family));
  }
  const literal = parseLiteral(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (literal === undefined || !PREFIX.test(prefixText)) return undefined;
  const { address, prefix } = readBlock(literal, Number(prefixText));
  return cidrAround(address, prefix);
}

/** The IPv4-mapped block `::ffff:0:0/96`, as IPv6: its addresses are IPv4 addresses, never IPv6 ones. */
export const IPV4_MAPPED_BLOCK: Cidr = Object.freeze({
  family: 6,
  base: 0xffffn << 32n,
  last: (0xffffn << 32n) | 0xffff_ffffn,
  prefix: IPV4_MAPPED_PREFIX,
  size: 1n << 32n,
  text: '::ffff:0:0/96',
});

export const cidrContains = (cidr: Cidr, address: IpAddress): boolean =>
  address.family === cidr.family && address.value >= cidr.base && address.value <= cidr.last;

/** `0.0.0.0` or `::`: bound to it, a socket listens on every address of its host. */
export const isWildcardAddress = (host: string): boolean => host === '0.0.0.0' || host === '::';

/** The zone of `fe80::1%eth0` (`eth0`: the interface a socket names for a link-local address); undefined when there is none. */
export function zoneOf(text: string): string | undefined {
  const at = text.indexOf('%');
  return at < 0 || at === text.length - 1 ? undefined : text.slice(at + 1);
}

const LINK_LOCAL_BLOCKS: readonly Cidr[] = ['169.254.0.0/16', 'fe80::/10'].flatMap((text) => parseBlock(text) ?? []);

/**
 * A link-local address (169.254.0.0/16, fe80::/10), zone or not. Every link has the same block,
 * so such an address says nothing of which network its holder is on: only the interface it was
 * seen on does.
 */
export function isLinkLocal(text: string): boolean {
  const address = parseIp(withoutZone(text));
  return address !== undefined && LINK_LOCAL_BLOCKS.some((block) => cidrContains(block, address));
}

export const cidrsOverlap = (a: Cidr, b: Cidr): boolean => a.family === b.family && a.base <= b.last && b.base <= a.last;

/** The address `offset` places after the network address. */
export const addressAt = (cidr: Cidr, offset: bigint): IpAddress => ({ family: cidr.family, value: cidr.base + offset });
