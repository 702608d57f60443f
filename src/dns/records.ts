/**
 * Resource records built from what the operations answered, pure. dns-packet encodes them; the
 * limits it does not check (a character-string is at most 255 bytes) are kept here.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Answer, RecordType, SoaAnswer } from 'dns-packet';
import type { Zone } from './types.js';

/** The longest character-string of a TXT record (RFC 1035 §3.3). */
const MAX_CHARACTER_STRING = 255;

/** The SOA's refresh, retry and expire: there are no secondaries, so they only need to be sane. */
const SOA_TIMERS = { refresh: 3_600, retry: 600, expire: 86_400 } as const;

/** `domain` without its trailing dot, as dns-packet writes names. */
const bare = (domain: string): string => domain.replace(/\.$/, '');

export const nameServerName = (zone: Zone): string => `ns.${bare(zone.domain)}`;

/** The SOA of the zone: its serial is the last applied revision, its minimum the negative TTL (RFC 2308). */
export function soaRecord(zone: Zone): SoaAnswer {
  return {
    type: 'SOA',
    name: bare(zone.domain),
    ttl: zone.negativeTtl,
    data: {
      mname: nameServerName(zone),
      rname: `hostmaster.${bare(zone.domain)}`,
      serial: zone.serial() % 2 ** 32,
      ...SOA_TIMERS,
      minimum: zone.negativeTtl,
    },
  };
}

/**
 * The records saying where `address` is, for a query of type `qtype` at `name`: A for an IPv4
 * address, AAAA for IPv6, a CNAME for a host name (never followed: this server does not recurse).
 * A type the address has no record of is NODATA: an empty list.
 */
export function addressRecords(name: string, address: string, qtype: RecordType | string, ttl: number): Answer[] {
  const any = qtype === 'ANY';
  if (isIPv4(address)) return any || qtype === 'A' ? [{ type: 'A', name, ttl, data: address }] : [];
  if (isIPv6(address)) return any || qtype === 'AAAA' ? [{ type: 'AAAA', name, ttl, data: address }] : [];
  return any || qtype === 'A' || qtype === 'AAAA' ? [{ type: 'CNAME', name, ttl, data: address }] : [];
}

/** True for the types `addressRecords` can answer. */
export const asksForAddress = (qtype: string): boolean => qtype === 'A' || qtype === 'AAAA' || qtype === 'ANY';

/** RFC 1464 attribute names: a backquote escapes `=` and itself, so the first bare `=` ends the name. */
const escapeKey = (key: string): string => key.replace(/[`=]/g, (c) => `\`${c}`);

/** A byte string cut into character-strings of at most 255 bytes (one TXT record may hold many). */
function characterStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += MAX_CHARACTER_STRING) parts.push(bytes.subarray(at, at + MAX_CHARACTER_STRING));
  return parts;
}

/** One TXT record per metadata key, `key=value`, sorted by key. */
export function metadataRecords(name: string, metadata: Readonly<Record<string, string>>, ttl: number): Answer[] {
  return Object.keys(metadata)
    .sort()
    .map((key) => ({ type: 'TXT', name, ttl, data: characterStrings(`${escapeKey(key)}=${metadata[key] ?? ''}`) }));
}

/** An SRV record for one endpoint: its port, and the name whose A/AAAA says where. */
export function srvRecord(name: string, target: string, port: number, ttl: number): Answer {
  return { type: 'SRV', name, ttl, data: { priority: 1, weight: 1, port, target } };
}
