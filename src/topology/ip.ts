/** IPv4 and IPv6 addresses as numbers, and CIDR blocks: the arithmetic topology needs, no I/O. */
import { isIPv6 } from 'node:net';

export type IpFamily = 'IPv4' | 'IPv6';

export interface Ip {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A block of addresses: `base` has every host bit cleared; `text` is its canonical `base/prefix`. */
export interface Cidr {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

const BITS: Readonly<Record<IpFamily, number>> = { IPv4: 32, IPv6: 128 };
const MAPPED_V4_PREFIX = 0xffffn;

/**
 * A dotted-quad IPv4 address as a number: four decimal octets of 0–255 without leading zeros,
 * exactly what `net.isIPv4` accepts. Placement and resolution parse addresses on every request,
 * so this reads the characters once rather than validating, splitting and converting each part.
 */
function parseV4Number(text: string): number | undefined {
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

function parseV4(text: string): bigint | undefined {
  const value = parseV4Number(text);
  return value === undefined ? undefined : BigInt(value);
}

/** An IPv6 literal (validated by `isIPv6` first) as 8 groups of 16 bits; an IPv4 tail becomes two groups. */
function parseV6(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined;
  let body = text;
  if (body.includes('.')) {
    const colon = body.lastIndexOf(':');
    const v4 = parseV4(body.slice(colon + 1));
    if (v4 === undefined) return undefined;
    body = `${body.slice(0, colon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const gap = body.indexOf('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(gap < 0 ? body : body.slice(0, gap));
  const right = gap < 0 ? [] : groups(body.slice(gap + 2));
  const zeros = 8 - left.length - right.length;
  if (zeros < 0 || (gap < 0 && zeros !== 0)) return undefined;
  return [...left, ...Array.from({ length: zeros }, () => '0'), ...right].reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

/**
 * Parses an address as sockets and interfaces report it: a zone (`fe80::1%eth0`) is dropped and
 * an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address it carries.
 */
export function parseIp(text: string): Ip | undefined {
  const zone = text.indexOf('%');
  const plain = zone < 0 ? text : text.slice(0, zone);
  const v4 = parseV4(plain);
  if (v4 !== undefined) return { family: 'IPv4', value: v4 };
  const v6 = parseV6(plain);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_V4_PREFIX) return { family: 'IPv4', value: v6 & 0xffff_ffffn };
  return { family: 'IPv6', value: v6 };
}

/** The canonical text of an address: dotted IPv4, or IPv6 with the longest run of zero groups as `::`. */
export function formatIp(ip: Ip): string {
  if (ip.family === 'IPv4') {
    const n = Number(ip.value);
    return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((ip.value >> shift) & 0xffffn).toString(16));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (groups[j] === '0') j += 1;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** Normalises an address for comparison (see `parseIp`); text that is not an IP is returned as it is. */
export function normaliseAddress(text: string): string {
  // A dotted quad without a zone is already in its canonical form.
  if (parseV4Number(text) !== undefined) return text;
  const ip = parseIp(text);
  return ip === undefined ? text : formatIp(ip);
}

/** The block of `prefix` bits around `address`; undefined when either is not valid. */
export function cidrAround(address: string, prefix: number): Cidr | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  const bits = BITS[ip.family];
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, prefix, text: `${formatIp({ family: ip.family, value: base })}/${prefix}` };
}

/** `10.1.0.0/16`, `fd00::/8`, or `10.1.2.3/24` (host bits are cleared); a bare address is a single-address block. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    return ip === undefined ? undefined : cidrAround(text, BITS[ip.family]);
  }
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  return cidrAround(text.slice(0, slash), Number(prefixText));
}

/** The host bits of every prefix length, as the BigInt shift amounts `cidrContains` needs. */
const HOST_BITS: Readonly<Record<IpFamily, readonly bigint[]>> = {
  IPv4: Array.from({ length: 33 }, (_, prefix) => BigInt(32 - prefix)),
  IPv6: Array.from({ length: 129 }, (_, prefix) => BigInt(128 - prefix)),
};

export function cidrContains(cidr: Cidr, address: string | Ip): boolean {
  const ip = typeof address === 'string' ? parseIp(address) : address;
  if (ip === undefined || ip.family !== cidr.family) return false;
  const hostBits = HOST_BITS[cidr.family][cidr.prefix] ?? BigInt(BITS[cidr.family] - cidr.prefix);
  return (ip.value >> hostBits) << hostBits === cidr.base;
}

/** A CIDR block the module itself defines; a typo in one is a bug, so it throws a plain Error. */
export function knownCidr(text: string): Cidr {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`'${text}' is not a CIDR block`);
  return cidr;
}
