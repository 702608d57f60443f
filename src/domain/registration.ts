/**
 * Upsert a service by name: the one rule every registration follows, whoever registers (a
 * `register` or `register_service` call, a `[[backend]]` of the configuration, a deployment).
 * Pure: the caller reads the existing record and writes what this returns, in one transaction.
 */
import type { Revision, ServiceId } from './brand.js';
import type { CheckDefinition } from './check.js';
import type { RegistryEvent } from './events.js';
import { extended } from './extended.js';
import { declareChecks, signOfLife } from './health.js';
import type { Service, ServiceSource } from './service.js';
import { newService, type ServiceFields } from './service-change.js';

/**
 * What a registration does with what it does not say. `replace` (register, register_service,
 * configuration entries): the registration is the whole definition, and a field not given takes
 * its default, as Consul's register and etcd's put do. `merge` (a deployment, which states only
 * what its manifest knows): a field not given keeps its value.
 */
export type RegistrationMode = 'replace' | 'merge';

export interface Registration {
  readonly name: string;
  readonly source: ServiceSource;
  /** What the registration says. The TTL is always stated: absent means the service never expires. */
  readonly fields: ServiceFields;
  /** The checks it declares: absent means none (`replace`) or those the service has (`merge`). */
  readonly checks?: readonly CheckDefinition[];
  readonly mode: RegistrationMode;
  /**
   * True when the registration vouches that the service lives (its own register, a deployment
   * that passed its health step): `lastSeen` moves, and an expired TTL comes back as a ping does.
   */
  readonly signOfLife: boolean;
}

export interface RegistrationContext {
  readonly now: number;
  readonly revision: Revision;
  /** The id of a service registered for the first time. */
  readonly newId: () => ServiceId;
}

export interface ServiceChange {
  /** The record as it stands now: write it when it is not the record read (a sign of life moves `lastSeen` alone). */
  readonly service: Service;
  /** True when the name was not registered before. */
  readonly created: boolean;
  /** What to emit, in order; empty when nothing changed that is worth a revision. */
  readonly events: readonly RegistryEvent[];
}

/** Fields that move by themselves: a registration that differs only in these changed nothing. */
const BOOKKEEPING: ReadonlySet<string> = new Set(['updatedAt', 'revision', 'lastSeen', 'lastStateChange']);

type Fields = Readonly<Record<string, unknown>>;

/** `fields` without its undefined entries; the object itself when it has none, as it mostly does (register's hot path). */
function definedOnly<T extends object>(fields: T): T {
  const entries = fields as Fields;
  let clean = true;
  for (const key in entries) if (entries[key] === undefined) clean = false;
  if (clean) return fields;
  const defined: Record<string, unknown> = {};
  for (const key in entries) if (entries[key] !== undefined) defined[key] = entries[key];
  return defined as T;
}

/** Deep equality of JSON data, whatever the order of keys; an undefined key counts as absent. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const left = definedOnly(a as Fields);
  const right = definedOnly(b as Fields);
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => sameData(left[key], right[key]));
}

/** True when two records differ in nothing but bookkeeping; an undefined field counts as absent. */
function sameRecord(a: Service, b: Service): boolean {
  const left = a as unknown as Fields;
  const right = b as unknown as Fields;
  for (const key in left) if (!BOOKKEEPING.has(key) && !sameData(left[key], right[key])) return false;
  for (const key in right) if (!(key in left) && !BOOKKEEPING.has(key) && !sameData(undefined, right[key])) return false;
  return true;
}

/** What a `merge` registration leaves: the record with the fields it states, its TTL and checks as stated (absent: none and kept). */
function merged(existing: Service, fields: ServiceFields): Service {
  const { ttlSeconds: _ttl, checks: _checks, ...current } = existing;
  return { ...current, ...fields };
}

/** What a `replace` registration leaves: a new definition with the record's identity, state, lifecycle times and health. */
function replaced(existing: Service, fields: ServiceFields, registration: Registration, now: number): Service {
  const fresh = newService(fields, { id: existing.id, name: existing.name, source: registration.source, now, revision: existing.revision });
  // Keys newService already has, so the copy keeps its shape (docs/ARCHITECTURE.md, "Hot paths").
  const kept: Service = {
    ...fresh,
    state: fields.state ?? existing.state,
    registeredAt: existing.registeredAt,
    createdAt: existing.createdAt,
    updatedAt: existing.updatedAt,
    lastStateChange: existing.lastStateChange,
    lastSeen: existing.lastSeen,
  };
  return existing.health === undefined ? kept : extended(kept, { health: existing.health });
}

/** The existing record restated by a registration; its identity, lifecycle and bookkeeping as they were. */
function restated(existing: Service, registration: Registration, now: number): Service {
  const fields = definedOnly(registration.fields);
  const previous = existing.checks;
  const base = registration.mode === 'merge' ? merged(existing, fields) : replaced(existing, fields, registration, now);
  const stated = registration.checks === undefined ? (registration.mode === 'merge' ? previous : undefined) : declareChecks(previous, registration.checks, now);
  const sourced: Service = { ...base, source: registration.source };
  return definedOnly(stated === undefined ? sourced : extended(sourced, { checks: stated }));
}

/**
 * Registers `registration` over `existing` (undefined: the name is new). A new name is a
 * ServiceRegistered. A change is a ServiceUpdated (and a ServiceStateChanged when the state
 * moved); a sign of life that brings an expired TTL back adds its HealthChanged, as a ping does.
 * A registration that changes nothing spends no revision.
 */
export function upsertService(existing: Service | undefined, registration: Registration, at: RegistrationContext): ServiceChange {
  const { now, revision } = at;
  if (existing === undefined) {
    const fields = definedOnly(registration.fields);
    const fresh = newService(fields, { id: at.newId(), name: registration.name, source: registration.source, now, revision });
    const service = registration.checks === undefined ? fresh : { ...fresh, checks: declareChecks(undefined, registration.checks, now) };
    return { service, created: true, events: [{ type: 'ServiceRegistered', service }] };
  }
  const next = restated(existing, registration, now);
  const changed = !sameRecord(existing, next);
  const stateMoved = next.state !== existing.state;
  let service: Service = changed ? { ...next, updatedAt: now, lastStateChange: stateMoved ? now : existing.lastStateChange, revision } : existing;
  let revival: RegistryEvent | undefined;
  if (registration.signOfLife) ({ service, event: revival } = signOfLife(service, now, revision));
  const events: RegistryEvent[] = [];
  if (changed) events.push({ type: 'ServiceUpdated', service });
  if (changed && stateMoved) events.push({ type: 'ServiceStateChanged', service, oldState: existing.state, newState: service.state });
  if (revival !== undefined) events.push(revival);
  return { service, created: false, events };
}
