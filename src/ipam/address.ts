/**
 * IP addresses as BigInt, for IPv4 and IPv6 alike.
 *
 * Why our own module rather than a library such as ipaddr.js: allocation needs arithmetic
 * (offset from the network address, next address, range ends) over 128-bit values, and
 * ipaddr.js parses to byte arrays without offering any of it, so we would convert to BigInt
 * anyway. Parsing and RFC 5952 formatting are a few dozen lines, are property-tested against
 * `node:net`, and keep ipam free of dependencies. One canonical text per address matters:
 * it is the key the store holds allocations under.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** Bits in an address of each family. */
export const familyBits = (family: IpFamily): number => (family === 4 ? 32 : 128);

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Dotted quad; leading zeros are refused (`010` reads as octal in some tools). */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** Hex groups of one side of `::`; a trailing dotted quad counts as two groups. */
function parseGroups(text: string, allowIpv4Tail: boolean): bigint[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: bigint[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIpv4Tail && index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
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

/** Parses an IPv4 or IPv6 address (no zone, no brackets); undefined when it is neither. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`, the first on a tie. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt((7 - i) * 16)) & 0xffffn);
  let best = { start: -1, length: 0 };
  let run = { start: -1, length: 0 };
  for (const [i, group] of groups.entries()) {
    if (group !== 0n) {
      run = { start: -1, length: 0 };
      continue;
    }
    run = run.start === -1 ? { start: i, length: 1 } : { start: run.start, length: run.length + 1 };
    if (run.length > best.length) best = run;
  }
  const hex = (list: readonly bigint[]): string => list.map((g) => g.toString(16)).join(':');
  if (best.length < 2) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** The canonical text of an address: the key allocations are stored under. */
export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.value);
}

/** The canonical text of `text`, or undefined when it is not an address. */
export function canonicalIp(text: string): string | undefined {
  const address = parseIp(text);
  return address === undefined ? undefined : formatIp(address);
}

export const isIpAddress = (text: string): boolean => parseIp(text) !== undefined;

/** Orders address texts: IPv4 before IPv6, then numerically; text that is not an address sorts last, by text. */
export function compareAddresses(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (x === undefined || y === undefined) return x !== undefined ? -1 : y !== undefined ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.family !== y.family) return x.family - y.family;
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
}
