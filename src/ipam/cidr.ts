import { familyBits, formatIp, type IpAddress, type IpFamily, parseIp } from './address.js';

/** A block of addresses: `base/prefix`, with the host bits of `base` all zero. */
export interface Cidr {
  readonly family: IpFamily;
  /** The network address. */
  readonly base: bigint;
  readonly prefix: number;
  /** How many addresses the block spans (2^(bits − prefix)); 2^64 and more for IPv6. */
  readonly size: bigint;
  /** Canonical text, e.g. `10.8.0.0/24` or `fd00::/64`. */
  readonly text: string;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): CidrResult => ({ ok: false, reason });

/** Parses `address/prefix`. A block whose address has host bits set is refused, naming the block it probably meant. */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  if (slash < 0) return fail('must be an address and a prefix length, such as 10.8.0.0/24 or fd00::/64');
  const address = parseIp(text.slice(0, slash));
  if (address === undefined) return fail(`"${text.slice(0, slash)}" is not an IPv4 or IPv6 address`);
  const bits = familyBits(address.family);
  const prefixText = text.slice(slash + 1);
  const prefix = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return fail(`the prefix length must be a whole number from 0 to ${bits}`);
  const size = 1n << BigInt(bits - prefix);
  const base = address.value - (address.value % size);
  const canonical = `${formatIp({ family: address.family, value: base })}/${prefix}`;
  if (base !== address.value) return fail(`host bits are set; the network is ${canonical}`);
  return { ok: true, cidr: { family: address.family, base, prefix, size, text: canonical } };
}

export const contains = (cidr: Cidr, address: IpAddress): boolean =>
  address.family === cidr.family && address.value >= cidr.base && address.value < cidr.base + cidr.size;

export const overlaps = (a: Cidr, b: Cidr): boolean =>
  a.family === b.family && a.base < b.base + b.size && b.base < a.base + a.size;

/** The address `offset` places after the network address. */
export const addressAt = (cidr: Cidr, offset: bigint): IpAddress => ({ family: cidr.family, value: cidr.base + offset });
