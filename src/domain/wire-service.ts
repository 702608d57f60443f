/**
 * The service record on the wire (README "Wire protocol"): snake_case, times in Unix seconds, absent
 * optional fields omitted. One schema for every surface: the three dialects, the client library
 * and `--json`. Key order is part of the shape: encoders write the keys in the order declared here.
 */
import { z } from 'zod';
import { checkStatuses } from './check.js';
import { serviceSources } from './service.js';
import { serviceStates } from './state.js';
import { declaredCheckWire } from './wire-check.js';
import { stringMap, unixSeconds } from './wire-common.js';

const locationWire = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }),
  z.object({ type: z.literal('remote'), host: z.string(), ssh_user: z.string(), ssh_port: z.number().int() }),
]);

/** Addresses per network, always in this order. */
const addressesWire = z.object({
  local: z.string().optional(),
  lan: z.string().optional(),
  wireguard: z.string().optional(),
  public: z.string().optional(),
});

const endpointWire = z.object({ name: z.string(), port: z.number().int(), protocol: z.string(), metadata: stringMap });

/** The worst of a service's TTL and checks, with its reason. */
const serviceHealthWire = z.object({
  status: z.enum(checkStatuses),
  checked_at: unixSeconds,
  duration_ms: z.number(),
  message: z.string().optional(),
});

/** The fields a Plexus backend and a service record share, before `metadata` and `source`. */
const primaryFields = {
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  protocol: z.string(),
  description: z.string().optional(),
  namespace: z.string().optional(),
  version: z.string().optional(),
};

const provenanceFields = {
  source: z.enum(serviceSources),
  /** TTL fine and no critical check, as of the answer. */
  is_active: z.boolean(),
  registered_at: unixSeconds,
  last_seen: unixSeconds.optional(),
  created_at: unixSeconds,
  updated_at: unixSeconds,
};

/** A service as a Plexus backend (README "Plexus hub call"): `metadata` only when it has entries. */
export const backendWire = z.object({ ...primaryFields, metadata: stringMap.optional(), ...provenanceFields });

/** The whole service record: the backend's fields, then the service entry's (seed A). */
export const serviceWire = z.object({
  ...primaryFields,
  ...provenanceFields,
  tags: z.array(z.string()),
  metadata: stringMap,
  host_id: z.string().optional(),
  location: locationWire,
  addresses: addressesWire,
  endpoints: z.array(endpointWire),
  state: z.enum(serviceStates),
  execution: z.string().optional(),
  depends_on: z.array(z.string()),
  ttl_seconds: z.number().int().optional(),
  health: serviceHealthWire.optional(),
  /** Declared checks, when the service has any. */
  checks: z.array(declaredCheckWire).optional(),
  last_state_change: unixSeconds,
  /** The global revision of the service's last change. */
  revision: z.number().int(),
});

export const serviceListWire = z.array(serviceWire);

/** A page of `list_services` with `limit`: the services, the cursor of the next page (null at the end) and the snapshot's revision. */
export const servicePageWire = z.object({ services: serviceListWire, next_cursor: z.string().nullable(), revision: z.number().int() });

/** `list_services`: every service without `limit` (as upstream clients read it), a page with it. */
export const serviceListingWire = z.union([serviceListWire, servicePageWire]);
export type ServicePageWire = z.output<typeof servicePageWire>;

/** `register` and `register_service`: the record, and whether the name was new. */
export const registeredWire = z.object({ service: serviceWire, created: z.boolean() });

export type BackendWire = z.output<typeof backendWire>;
export type ServiceWire = z.output<typeof serviceWire>;
