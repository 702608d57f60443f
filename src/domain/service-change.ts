import type { Revision, ServiceId } from './brand.js';
import type { RegistryEvent } from './events.js';
import type { Endpoint, NetworkKind, Service, ServiceLocation, ServiceSource } from './service.js';
import { assertTransition, type ServiceState } from './state.js';

/** The fields a registration may set; everything else is derived or kept. */
export interface ServiceFields {
  readonly host: string;
  readonly port: number;
  readonly protocol?: string;
  readonly namespace?: string;
  readonly version?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly hostId?: string;
  readonly location?: ServiceLocation;
  readonly addresses?: Readonly<Partial<Record<NetworkKind, string>>>;
  readonly endpoints?: readonly Endpoint[];
  readonly execution?: string;
  readonly dependsOn?: readonly string[];
  readonly ttlSeconds?: number;
  readonly state?: ServiceState;
}

/** A partial change: an absent field is left as it is. */
export type ServicePatch = Partial<ServiceFields>;

export interface NewServiceContext {
  readonly id: ServiceId;
  readonly name: string;
  readonly source: ServiceSource;
  readonly now: number;
  readonly revision: Revision;
}

export function newService(fields: ServiceFields, ctx: NewServiceContext): Service {
  return {
    id: ctx.id,
    name: ctx.name,
    tags: [],
    metadata: {},
    location: { type: 'local' },
    addresses: {},
    endpoints: [],
    dependsOn: [],
    ...fields,
    protocol: fields.protocol ?? 'ws',
    state: fields.state ?? 'registered',
    source: ctx.source,
    registeredAt: ctx.now,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    lastStateChange: ctx.now,
    lastSeen: ctx.now,
    revision: ctx.revision,
  };
}

/** Applies a patch; identity and creation times are kept, `updatedAt` moves. */
export function applyPatch(existing: Service, patch: ServicePatch, now: number, revision: Revision): Service {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ServicePatch;
  const stateChanged = defined.state !== undefined && defined.state !== existing.state;
  return {
    ...existing,
    ...defined,
    updatedAt: now,
    lastStateChange: stateChanged ? now : existing.lastStateChange,
    revision,
  };
}

/**
 * One step of the state machine: the service in state `next`, and its ServiceStateChanged.
 * Throws `illegal_transition` for a step seed A's rules do not allow.
 */
export function changeState(service: Service, next: ServiceState, now: number, revision: Revision): { readonly service: Service; readonly event: RegistryEvent } {
  assertTransition(service.state, next);
  const changed: Service = { ...service, state: next, lastStateChange: now, updatedAt: now, revision };
  return { service: changed, event: { type: 'ServiceStateChanged', service: changed, oldState: service.state, newState: next } };
}

/** True when a patch would change nothing, so no revision is spent on it. */
export function patchChangesNothing(existing: Service, patch: ServicePatch): boolean {
  return Object.entries(patch).every(
    ([key, value]) => value === undefined || sameValue(existing[key as keyof Service], value),
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
