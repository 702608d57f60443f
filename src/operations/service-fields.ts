import { z } from 'zod';
import type { Endpoint, NetworkKind, ServiceLocation, ServicePatch } from '../domain/index.js';
import { checkDefinitionList } from '../health/index.js';
import {
  addressesByNetwork,
  dependsOnList,
  endpointList,
  executionKind,
  hostName,
  locationSchema,
  metadataMap,
  portNumber,
  protocolName,
  shortText,
  tagList,
  ttlSeconds,
  unset,
} from './schemas.js';

/** The fields of a service entry (seed A) as they arrive on the wire, snake_case; all optional. */
export const serviceEntryFields = {
  host: unset(hostName),
  port: unset(portNumber),
  protocol: unset(protocolName),
  description: unset(shortText),
  namespace: unset(shortText),
  version: unset(shortText),
  metadata: unset(metadataMap),
  tags: unset(tagList),
  ttl: unset(ttlSeconds),
  host_id: unset(z.string().min(1).max(253)),
  location: unset(locationSchema),
  addresses: unset(addressesByNetwork),
  endpoints: unset(endpointList),
  execution: unset(executionKind),
  depends_on: unset(dependsOnList),
  /** Health checks; given, they replace the service's checks (an unchanged check keeps its status). */
  checks: unset(checkDefinitionList),
};

/** The fields alone, for callers that validate an entry without a name. */
export const serviceEntryObject = z.strictObject(serviceEntryFields);
export type ServiceEntryInput = z.output<typeof serviceEntryObject>;

function toAddresses(input: ServiceEntryInput['addresses']): Partial<Record<NetworkKind, string>> | undefined {
  if (input === undefined) return undefined;
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

function toLocation(input: ServiceEntryInput['location']): ServiceLocation | undefined {
  if (input === undefined) return undefined;
  return input.type === 'local' ? { type: 'local' } : { type: 'remote', host: input.host, sshUser: input.ssh_user, sshPort: input.ssh_port };
}

function toEndpoints(input: ServiceEntryInput['endpoints'], defaultProtocol: string): Endpoint[] | undefined {
  return input?.map((e) => ({ name: e.name, port: e.port, protocol: e.protocol ?? defaultProtocol, metadata: e.metadata ?? {} }));
}

/** Wire fields → a domain patch; absent fields stay absent so a patch leaves them as they are. */
export function toServicePatch(input: ServiceEntryInput): ServicePatch {
  const patch: ServicePatch = {
    host: input.host,
    port: input.port,
    protocol: input.protocol,
    description: input.description,
    namespace: input.namespace,
    version: input.version,
    metadata: input.metadata,
    tags: input.tags,
    ttlSeconds: input.ttl,
    hostId: input.host_id,
    location: toLocation(input.location),
    addresses: toAddresses(input.addresses),
    endpoints: toEndpoints(input.endpoints, input.protocol ?? 'tcp'),
    execution: input.execution,
    dependsOn: input.depends_on,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ServicePatch;
}

/**
 * The Plexus primary endpoint of a service entry given without host/port: the first endpoint's
 * port, at the most widely reachable address it declared.
 */
export function primaryOf(patch: ServicePatch): { host: string; port: number; protocol?: string } | undefined {
  const first = patch.endpoints?.[0];
  const port = patch.port ?? first?.port;
  const a = patch.addresses ?? {};
  const host = patch.host ?? a.public ?? a.lan ?? a.wireguard ?? a.local ?? (patch.endpoints ? '127.0.0.1' : undefined);
  if (port === undefined || host === undefined) return undefined;
  // The primary endpoint speaks the first endpoint's protocol unless one is given.
  const protocol = patch.protocol ?? (patch.port === undefined ? first?.protocol : undefined);
  return protocol === undefined ? { host, port } : { host, port, protocol };
}
