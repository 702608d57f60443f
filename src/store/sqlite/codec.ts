import {
  asRevision,
  type CommittedEvent,
  eventTypes,
  type RegistryEvent,
  type Revision,
  type Service,
} from '../../domain/index.js';

/** Decoders for what this store wrote itself: shape checks, then `as`. A failure means a corrupt file. */

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function corrupt(what: string, value: unknown): Error {
  return new Error(`corrupt ${what} in the SQLite store: ${JSON.stringify(value)?.slice(0, 200) ?? String(value)}`);
}

function parseObject(json: string, what: string): JsonObject {
  const value: unknown = JSON.parse(json);
  if (!isObject(value)) throw corrupt(what, value);
  return value;
}

/** Normalises a service to exactly what the database holds (undefined fields dropped). */
export function encodeService(service: Service): { readonly json: string; readonly service: Service } {
  const json = JSON.stringify(service);
  return { json, service: decodeService(json) };
}

export function decodeService(json: string): Service {
  const value = parseObject(json, 'service record');
  const { id, name, revision } = value;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof revision !== 'number') {
    throw corrupt('service record', value);
  }
  return value as unknown as Service;
}

/** A row of `SELECT record FROM services`. */
export function decodeServiceRow(row: unknown): Service {
  if (!isObject(row) || typeof row.record !== 'string') throw corrupt('services row', row);
  return decodeService(row.record);
}

/** Stamps an event with its place in the log, normalised as it will read back. */
export function commitEvent(
  event: RegistryEvent,
  revision: Revision,
  index: number,
  timestamp: number,
): { readonly data: string; readonly committed: CommittedEvent } {
  const data = JSON.stringify(event);
  const committed = stampEvent(parseObject(data, 'event'), revision, index, timestamp);
  return { data, committed };
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

const serviceEventTypes: ReadonlySet<string> = new Set([
  'ServiceRegistered',
  'ServiceUpdated',
  'ServiceDeregistered',
  'ServiceStateChanged',
  'HealthChanged',
]);

function stampEvent(value: JsonObject, revision: Revision, index: number, timestamp: number): CommittedEvent {
  const type = value.type;
  if (typeof type !== 'string' || !eventTypes.some((known) => known === type)) throw corrupt('event', value);
  // Only the service events carry a service record; IpAllocated, DeploymentProgress… do not.
  if (serviceEventTypes.has(type) && !isObject(value.service)) throw corrupt('event', value);
  const event = value as unknown as RegistryEvent;
  return { ...event, revision, index, timestamp };
}

/** A row of `SELECT value FROM meta WHERE key = ?`, read as an integer. */
export function decodeMetaInteger(row: unknown, key: string): number {
  if (row === undefined) return 0;
  if (!isObject(row) || typeof row.value !== 'string') throw corrupt(`meta '${key}'`, row);
  const number = Number(row.value);
  if (!Number.isSafeInteger(number) || number < 0) throw corrupt(`meta '${key}'`, row);
  return number;
}
