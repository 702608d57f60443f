import { z } from 'zod';
import { hostSchema, SERVICE_NAME_PATTERN } from '../domain/index.js';

/** Absent and null both mean "unset" (Plexus clients send either); handlers only see undefined. */
export const unset = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value): z.output<T> | undefined => value ?? undefined);

export const serviceName = z
  .string()
  .regex(SERVICE_NAME_PATTERN, 'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');

/** An IP address or an RFC 1123 host name: the one host schema (src/domain/host.ts). */
export const hostName = hostSchema;
export const portNumber = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(65_535, 'must be ≤ 65535');
export const protocolName = z.string().regex(/^[a-z][a-z0-9+.-]{0,15}$/, 'must be a lowercase scheme such as "ws" or "wss"');
export const shortText = z.string().max(1024, 'must be at most 1024 characters');

/**
 * The bounds of a metadata map (the Plexus type is a string → string map), in one place: every
 * schema that takes metadata uses `metadataMap`, and README "Limits" lists these numbers.
 */
export const METADATA_LIMITS = Object.freeze({ entries: 64, keyChars: 128, valueChars: 4096, totalBytes: 32 * 1024 });

const metadataEntries = z.record(
  z.string().min(1, 'keys must not be empty').max(METADATA_LIMITS.keyChars, `keys must be at most ${METADATA_LIMITS.keyChars} characters`),
  z.string({ error: 'values must be strings' }).max(METADATA_LIMITS.valueChars, `values must be at most ${METADATA_LIMITS.valueChars} characters`),
);

/** Counted before any entry is looked at: 90,000 entries cost one check, not 90,000 issues. */
function checkMetadataSize(value: unknown, ctx: z.RefinementCtx): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return; // the record schema says why
  const keys = Object.keys(value);
  if (keys.length > METADATA_LIMITS.entries) {
    ctx.addIssue({ code: 'custom', message: `must have at most ${METADATA_LIMITS.entries} entries (it has ${keys.length})`, abort: true });
    return;
  }
  let bytes = 0;
  for (const key of keys) {
    const entry: unknown = Reflect.get(value, key);
    bytes += Buffer.byteLength(key) + (typeof entry === 'string' ? Buffer.byteLength(entry) : 0);
  }
  if (bytes > METADATA_LIMITS.totalBytes) {
    ctx.addIssue({ code: 'custom', message: `must hold at most ${METADATA_LIMITS.totalBytes} bytes of keys and values (it holds ${bytes})`, abort: true });
  }
}

export const metadataMap = z.unknown().superRefine(checkMetadataSize).pipe(metadataEntries);
export const tagList = z.array(z.string().min(1).max(128)).max(64, 'must have at most 64 tags');
export const ttlSeconds = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(86_400, 'must be ≤ 86400');

export const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' });
/** An address a service can be reached at: an IP or a host name. */
export const reachableAddress = hostSchema;
export const addressesByNetwork = z.strictObject({
  local: unset(reachableAddress),
  lan: unset(reachableAddress),
  wireguard: unset(reachableAddress),
  public: unset(reachableAddress),
});
export const endpointSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, "_" or "-"'),
  port: portNumber,
  protocol: unset(z.string().regex(/^[a-z][a-z0-9+.-]{0,15}$/, 'must be a lowercase protocol name')),
  metadata: unset(metadataMap),
});
export const endpointList = z
  .array(endpointSchema)
  .max(32, 'must have at most 32 endpoints')
  .refine((list) => new Set(list.map((e) => e.name)).size === list.length, 'endpoint names must be unique');
export const locationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('local') }),
  z.strictObject({ type: z.literal('remote'), host: hostName, ssh_user: z.string().min(1).max(64), ssh_port: portNumber.default(22) }),
]);
export const dependsOnList = z.array(serviceName).max(64, 'must have at most 64 dependencies');
export const executionKind = z.enum(['managed_process', 'systemd_service', 'docker_container', 'external']);

/** `consistency` of every read (see OperationKind): absent or `consistent` waits for every earlier commit; `stale` does not. */
export const readConsistency = unset(z.enum(['consistent', 'stale']));

/** `request_id` of every write (see OperationKind): the caller's name for this call, the same on each retry. */
export const requestId = unset(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit'),
);
