import { z } from 'zod';

/** `[dns]` defaults (issue 18): off until asked for, on the server's host, answers never cached by default. */
export const DEFAULT_DNS_PORT = 8600;
export const DEFAULT_DNS_DOMAIN = 'registry.';
/** Seconds a resolver may keep an answer: 0, so a service that goes critical leaves every answer at once. */
export const DEFAULT_DNS_TTL = 0;
/** Queries per second one source address (an IPv6 /64) may send before it is dropped (UDP) or refused (TCP). */
export const DEFAULT_DNS_RATE_LIMIT = 1_000;

/** `[dns]`: the DNS interface (docs/ARCHITECTURE.md), an adapter onto resolve and the other reads. */
export interface DnsSettings {
  readonly enabled: boolean;
  /** UDP and TCP, on `[server] host`; 0 lets the OS pick (tests). */
  readonly port: number;
  /** Lowercase, with the trailing dot: `registry.`. */
  readonly domain: string;
  /** TTL of every positive answer, in seconds. */
  readonly ttl: number;
  /** TTL of NXDOMAIN and NODATA answers: the SOA minimum and the SOA record's own TTL (RFC 2308). */
  readonly negativeTtl: number;
  /** Answer TXT queries on a service name with its metadata, one `key=value` record per key. */
  readonly txtMetadata: boolean;
  /** Queries per second per source address, and the burst it may send at once. */
  readonly rateLimit: number;
  readonly rateBurst: number;
}

/** One DNS label of letters, digits and '-' (RFC 1123), at most 63 characters. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `Registry`, `registry.` and `consul.example.` are domains; the root, empty labels and `_` are not. */
const domainName = z
  .string()
  .max(200)
  .transform((text) => text.toLowerCase().replace(/\.$/, ''))
  .refine((text) => text !== '' && text.split('.').every((label) => LABEL.test(label)), {
    error: 'must be a domain such as "registry." or "sd.example.internal.": labels of letters, digits and \'-\'',
  })
  .transform((text) => `${text}.`);

const seconds = z.number().int().min(0).max(86_400);

export const dnsTable = z.strictObject({
  enabled: z.boolean().optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  domain: domainName.optional(),
  ttl: seconds.optional(),
  negative_ttl: seconds.optional(),
  txt_metadata: z.boolean().optional(),
  rate_limit: z.number().int().min(1).max(10_000_000).optional(),
  rate_burst: z.number().int().min(1).max(10_000_000).optional(),
});

/** The table with every default filled; the negative TTL defaults to the TTL, the burst to two seconds of the rate. */
export const dnsSettings = (table: z.output<typeof dnsTable> | undefined): DnsSettings => {
  const ttl = table?.ttl ?? DEFAULT_DNS_TTL;
  const rateLimit = table?.rate_limit ?? DEFAULT_DNS_RATE_LIMIT;
  return {
    enabled: table?.enabled ?? false,
    port: table?.port ?? DEFAULT_DNS_PORT,
    domain: table?.domain ?? DEFAULT_DNS_DOMAIN,
    ttl,
    negativeTtl: table?.negative_ttl ?? ttl,
    txtMetadata: table?.txt_metadata ?? false,
    rateLimit,
    rateBurst: table?.rate_burst ?? 2 * rateLimit,
  };
};
