import { z } from 'zod';
import { SERVICE_NAME_PATTERN } from '../domain/index.js';

/** Absent and null both mean "unset" (Plexus clients send either); handlers only see undefined. */
export const unset = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value): z.output<T> | undefined => value ?? undefined);

export const serviceName = z
  .string()
  .regex(SERVICE_NAME_PATTERN, 'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');

export const hostName = z.string().min(1, 'must not be empty').max(253, 'must be at most 253 characters');
export const portNumber = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(65_535, 'must be ≤ 65535');
export const protocolName = z.string().regex(/^[a-z][a-z0-9+.-]{0,15}$/, 'must be a lowercase scheme such as "ws" or "wss"');
export const shortText = z.string().max(1024, 'must be at most 1024 characters');
export const metadataMap = z
  .record(z.string().max(128, 'keys must be at most 128 characters'), z.string().max(4096, 'values must be at most 4096 characters'))
  .refine((m) => Object.keys(m).length <= 64, 'must have at most 64 entries');
export const tagList = z.array(z.string().min(1).max(128)).max(64, 'must have at most 64 tags');
export const ttlSeconds = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(86_400, 'must be ≤ 86400');

export const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' });
/** An address a service can be reached at: an IP or a host name. */
export const reachableAddress = z.union([z.ipv4(), z.ipv6(), hostName]);
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
