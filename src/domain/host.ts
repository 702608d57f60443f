/**
 * What a `host` may be, everywhere one is accepted (operations, `[[backend]]`, `[[node]]`,
 * `[server] host`): an IPv4 or IPv6 address, or an RFC 1123 host name. A host travels to shells
 * (`registry env`), terminals and SSH, so nothing else gets in: no spaces, quotes, `$`, `;` or
 * control characters, and no empty labels (`not..a..host`).
 */
import { z } from 'zod';

/** The longest host name DNS can carry (RFC 1035 §2.3.4). */
export const MAX_HOST_LENGTH = 253;

/** One label: 1-63 letters, digits and '-', neither first nor last a '-' (RFC 1123 §2.1). */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const ALL_DIGITS = /^[0-9]+$/;
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

export const HOST_RULE = `must be an IP address or an RFC 1123 host name: dot-separated labels of letters, digits and '-', at most ${MAX_HOST_LENGTH} characters`;

/** True for an IP address or an RFC 1123 host name. */
export function isHost(text: string): boolean {
  if (text.length === 0 || text.length > MAX_HOST_LENGTH) return false;
  if (ipv4.safeParse(text).success || ipv6.safeParse(text).success) return true;
  const labels = text.split('.');
  // A name whose last label is all digits would read as a (malformed) IPv4 address: 10.0.0.256.
  return labels.every((label) => LABEL.test(label)) && !ALL_DIGITS.test(labels.at(-1) ?? '');
}

/** The one schema of a host, for every edge that accepts one. */
export const hostSchema = z.string().refine(isHost, { error: HOST_RULE });
