import {
  asRevision,
  type CommittedEvent,
  type RegistryEvent,
  type Revision,
  type Service,
} from '../../domain/index.js';
import { corruption, isObject, type JsonObject, parseJsonObject, stampEvent as stampStoredEvent } from '../event-codec.js';

/** Decoders for what this store wrote itself: shape checks, then `as`. A failure means a corrupt file. */

const corrupt = (what: string, value: unknown): Error => corruption('SQLite', what, value);
const parseObject = (json: string, what: string): JsonObject => parseJsonObject(json, (value) => corrupt(what, value));
const stampEvent = (value: JsonObject, revision: Revision, index: number, timestamp: number): CommittedEvent =>
  stampStoredEvent(value, revision, index, timestamp, (bad) => corrupt('event', bad));

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

/** What `encodeService` made of each service object, so the event carrying it reuses the JSON. */
const encodedServices = new WeakMap<object, { readonly json: string; readonly service: Service }>();
const encodedOf = (value: unknown) => (isObject(value) ? encodedServices.get(value) : undefined);

/**
 * Normalises a service to exactly what the database holds (undefined fields dropped). A service
 * that is plain JSON data already is kept as it is rather than parsed back from its text.
 */
export function encodeService(service: Service): { readonly json: string; readonly service: Service } {
  const json = JSON.stringify(service);
  const encoded = { json, service: isJsonNormal(service) ? service : decodeService(json) };
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

export function decodeService(json: string): Service {
  const value = parseObject(json, 'service record');
  const { id, name, revision } = value;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof revision !== 'number') {
    throw corrupt('service record', value);
  }
  shareCommonParts(value);
  return value as unknown as Service;
}

/** A row of `SELECT record FROM services`. */
export function decodeServiceRow(row: unknown): Service {
  if (!isObject(row) || typeof row.record !== 'string') throw corrupt('services row', row);
  return decodeService(row.record);
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

/**
 * Stamps an event with its place in the log, normalised as it will read back. An event of plain
 * data (the service in it normalised by `tx.services.put`) is stamped as it is: no JSON round trip.
 */
export function commitEvent(
  event: RegistryEvent,
  revision: Revision,
  index: number,
  timestamp: number,
): { readonly data: string; readonly committed: CommittedEvent } {
  const fast = eventJson(event);
  if (fast !== undefined) {
    const service = 'service' in event ? encodedOf(event.service)?.service : undefined;
    const committed = { ...event, ...(service === undefined ? {} : { service }), revision, index, timestamp } as CommittedEvent;
    return { data: fast, committed };
  }
  const data = JSON.stringify(event);
  return { data, committed: stampEvent(parseObject(data, 'event'), revision, index, timestamp) };
}

/** A row of `SELECT revision, idx, timestamp, data FROM events`. */
export function decodeEventRow(row: unknown): CommittedEvent {
  if (!isObject(row)) throw corrupt('events row', row);
  const { revision, idx, timestamp, data } = row;
  if (typeof revision !== 'number' || typeof idx !== 'number' || typeof timestamp !== 'number') {
    throw corrupt('events row', row);
  }
  if (typeof data !== 'string') throw corrupt('events row', row);
  return stampEvent(parseObject(data, 'event'), asRevision(revision), idx, timestamp);
}


/** A row of `SELECT value FROM meta WHERE key = ?`, read as an integer. */
export function decodeMetaInteger(row: unknown, key: string): number {
  if (row === undefined) return 0;
  if (!isObject(row) || typeof row.value !== 'string') throw corrupt(`meta '${key}'`, row);
  const number = Number(row.value);
  if (!Number.isSafeInteger(number) || number < 0) throw corrupt(`meta '${key}'`, row);
  return number;
}
