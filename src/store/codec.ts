import {
  type CommittedEvent,
  type DeploymentRecord,
  eventTypes,
  extended,
  type RegistryEvent,
  type Revision,
  type Service,
} from '../domain/index.js';

/**
 * The JSON both backends keep of services, deployments and events, and the decoders for what a
 * store wrote itself: shape checks, then `as`. A failure means a corrupt database (a bug or
 * tampering, never bad input). Each backend decodes its own rows and columns around these.
 */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A shape check failed: the database is corrupt. `store` names the backend when the row is its own. */
export function corruption(store: string, what: string, value: unknown): Error {
  return new Error(`corrupt ${what} in the ${store} store: ${JSON.stringify(value)?.slice(0, 200) ?? String(value)}`);
}

const corrupt = (what: string, value: unknown): Error => corruption('registry', what, value);

export function parseJsonObject(json: string, onCorrupt: (value: unknown) => Error): JsonObject {
  const value: unknown = JSON.parse(json);
  if (!isObject(value)) throw onCorrupt(value);
  return value;
}

const parseObject = (json: string, what: string): JsonObject => parseJsonObject(json, (value) => corrupt(what, value));

const serviceEventTypes: ReadonlySet<string> = new Set([
  'ServiceRegistered',
  'ServiceUpdated',
  'ServiceDeregistered',
  'ServiceStateChanged',
  'HealthChanged',
]);

/** An event read back from the log, checked, with its place in the history. */
export function stampEvent(value: JsonObject, revision: Revision, index: number, timestamp: number): CommittedEvent {
  const type = value.type;
  if (typeof type !== 'string' || !eventTypes.some((known) => known === type)) throw corrupt('event', value);
  // Only the service events carry a service record; IpAllocated, DeploymentProgress… do not.
  if (serviceEventTypes.has(type) && !isObject(value.service)) throw corrupt('event', value);
  const event = value as unknown as RegistryEvent;
  return extended(event, { revision, index, timestamp });
}

/** An event's `data` column as the log stores it. */
export const decodeEventData = (json: string, revision: Revision, index: number, timestamp: number): CommittedEvent =>
  stampEvent(parseObject(json, 'event'), revision, index, timestamp);

/**
 * True when `JSON.parse(JSON.stringify(value))` would equal `value`: plain objects and arrays of
 * strings, booleans, finite numbers other than -0, and null, with no undefined anywhere. Such a
 * value already is what reads back, so it needs no round trip through JSON text.
 */
function isJsonNormal(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    // A hole reads as undefined here and becomes null in JSON: not normal.
    for (const item of value) if (!isJsonNormal(item, depth + 1)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || !isObject(value)) return false;
  for (const key in value) if (!isJsonNormal(value[key], depth + 1)) return false;
  return Object.getOwnPropertySymbols(value).length === 0;
}

/** A record as the database holds it: the normalised value and its JSON. */
export interface Encoded<T> {
  readonly value: T;
  readonly json: string;
}

/** What `encodeService` made of each service object, so the event carrying it reuses the JSON. */
const encodedServices = new WeakMap<object, Encoded<Service>>();
const encodedOf = (value: unknown): Encoded<Service> | undefined => (isObject(value) ? encodedServices.get(value) : undefined);

/**
 * Normalises a service to exactly what the database holds (undefined fields dropped). A service
 * that is plain JSON data already is kept as it is rather than parsed back from its text.
 */
export function encodeService(service: Service): Encoded<Service> {
  const json = JSON.stringify(service);
  const encoded = { json, value: isJsonNormal(service) ? service : decodeService(JSON.parse(json)) };
  encodedServices.set(service, encoded);
  return encoded;
}

/** Shared, frozen stand-ins for the empty lists and maps, and the `local` location, most services hold. */
const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({});
const LOCAL_LOCATION = Object.freeze({ type: 'local' });

function isEmptyRecord(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/**
 * Points a decoded record's empty lists and maps, and a plain `local` location, at one shared
 * frozen copy: a registry holding 100,000 services keeps 100,000 fewer of each. Services are
 * read-only records, so nothing writes through these.
 */
function shareCommonParts(value: JsonObject): void {
  for (const key of ['tags', 'endpoints', 'dependsOn']) {
    const list = value[key];
    if (Array.isArray(list) && list.length === 0) value[key] = EMPTY_LIST;
  }
  for (const key of ['metadata', 'addresses']) if (isEmptyRecord(value[key])) value[key] = EMPTY_RECORD;
  const { location } = value;
  if (isObject(location) && location.type === 'local' && Object.keys(location).length === 1) value.location = LOCAL_LOCATION;
}

/** A service record as parsed from its JSON (a row, a journal entry). */
export function decodeService(value: unknown): Service {
  if (!isObject(value)) throw corrupt('service record', value);
  const { id, name, revision } = value;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof revision !== 'number') throw corrupt('service record', value);
  shareCommonParts(value);
  return value as unknown as Service;
}

export const decodeServiceJson = (json: string): Service => decodeService(parseObject(json, 'service record'));

export function decodeDeployment(value: unknown): DeploymentRecord {
  if (!isObject(value)) throw corrupt('deployment record', value);
  const { id, node, service, startedAt, steps } = value;
  if (typeof id !== 'string' || typeof node !== 'string' || typeof service !== 'string') throw corrupt('deployment record', value);
  if (typeof startedAt !== 'number' || !Array.isArray(steps)) throw corrupt('deployment record', value);
  return value as unknown as DeploymentRecord;
}

export function encodeDeployment(record: DeploymentRecord): Encoded<DeploymentRecord> {
  const json = JSON.stringify(record);
  return { json, value: decodeDeployment(JSON.parse(json)) };
}

/**
 * `JSON.stringify(event)`, with the text of a service this write already encoded copied in
 * rather than serialised again; undefined when the event holds something else that is not plain.
 */
function eventJson(event: RegistryEvent): string | undefined {
  let json = '';
  for (const [key, value] of Object.entries(event)) {
    const known = key === 'service' ? encodedOf(value) : undefined;
    if (known === undefined && !isJsonNormal(value)) return undefined;
    json += `${json === '' ? '{' : ','}${JSON.stringify(key)}:${known?.json ?? JSON.stringify(value)}`;
  }
  return json === '' ? '{}' : `${json}}`;
}

/** An event stamped with its place in the log, and the text the log stores. */
export interface StampedEvent {
  readonly data: string;
  readonly committed: CommittedEvent;
}

/**
 * Stamps an event with its place in the log, normalised as it will read back. An event of plain
 * data (the service in it normalised by `tx.services.put`) is stamped as it is: no JSON round trip.
 */
export function commitEvent(event: RegistryEvent, revision: Revision, index: number, timestamp: number): StampedEvent {
  const fast = eventJson(event);
  if (fast !== undefined) {
    const service = 'service' in event ? encodedOf(event.service)?.value : undefined;
    // Not `{ ...event, revision… }`: every event held in memory would carry a hidden class of its own.
    const committed = extended(event, service === undefined ? { revision, index, timestamp } : { service, revision, index, timestamp }) as CommittedEvent;
    return { data: fast, committed };
  }
  const data = JSON.stringify(event);
  return { data, committed: decodeEventData(data, revision, index, timestamp) };
}
