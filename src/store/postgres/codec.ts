import {
  asRevision,
  type CommittedEvent,
  type DeploymentRecord,
  type RegistryEvent,
  type Revision,
  type Service,
} from '../../domain/index.js';
import { corruption, isObject, type JsonObject, parseJsonObject, stampEvent as stampStoredEvent } from '../event-codec.js';
import type { IpAllocation, IpPoolState } from '../allocations.js';
import { type TokenRecord, tokenRoles } from '../tokens.js';

/**
 * Decoders for what this store wrote itself: shape checks, then `as`. A failure means a
 * corrupt database. This is the only place PostgreSQL `bigint` (text on the wire) becomes a number.
 */

export { isObject, type JsonObject };

export const corrupt = (what: string, value: unknown): Error => corruption('PostgreSQL', what, value);
const stampEvent = (value: JsonObject, revision: Revision, index: number, timestamp: number): CommittedEvent =>
  stampStoredEvent(value, revision, index, timestamp, (bad) => corrupt('event', bad));

/** A `bigint` column (pg hands it over as text) or an `integer` one, as a safe non-negative integer. */
export function integerOf(value: unknown, what: string): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) throw corrupt(what, value);
  return number;
}

export function textOf(row: JsonObject, key: string, what: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw corrupt(what, row);
  return value;
}

export function rowOf(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw corrupt(what, value);
  return value;
}

const parseObject = (json: string, what: string): JsonObject => parseJsonObject(json, (value) => corrupt(what, value));

/** Normalises a service to exactly what the database holds (undefined fields dropped). */
export function encodeService(service: Service): { readonly json: string; readonly service: Service } {
  const json = JSON.stringify(service);
  return { json, service: decodeService(parseObject(json, 'service record')) };
}

export function decodeService(value: unknown): Service {
  const record = rowOf(value, 'service record');
  const { id, name, revision } = record;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof revision !== 'number') throw corrupt('service record', record);
  return record as unknown as Service;
}

export function decodeDeployment(value: unknown): DeploymentRecord {
  const record = rowOf(value, 'deployment record');
  const { id, node, service, startedAt, steps } = record;
  if (typeof id !== 'string' || typeof node !== 'string' || typeof service !== 'string') throw corrupt('deployment record', record);
  if (typeof startedAt !== 'number' || !Array.isArray(steps)) throw corrupt('deployment record', record);
  return record as unknown as DeploymentRecord;
}

export function encodeDeployment(record: DeploymentRecord): { readonly json: string; readonly record: DeploymentRecord } {
  const json = JSON.stringify(record);
  return { json, record: decodeDeployment(JSON.parse(json)) };
}

export function decodeAllocation(value: unknown): IpAllocation {
  const row = rowOf(value, 'IP allocation');
  const what = 'IP allocation';
  const allocatedAt = integerOf(row.allocatedAt ?? row.allocated_at, what);
  return { network: textOf(row, 'network', what), address: textOf(row, 'address', what), owner: textOf(row, 'owner', what), allocatedAt };
}

export function decodePool(value: unknown): IpPoolState {
  const row = rowOf(value, 'IP pool');
  const cursor = textOf(row, 'cursor', 'IP pool');
  if (!/^\d+$/.test(cursor)) throw corrupt('IP pool', row);
  return { network: textOf(row, 'network', 'IP pool'), cidr: textOf(row, 'cidr', 'IP pool'), cursor };
}

const isRole = (value: unknown): value is TokenRecord['role'] => tokenRoles.some((role) => role === value);

export function decodeToken(value: unknown): TokenRecord {
  const row = rowOf(value, 'token');
  const role = row.role;
  if (!isRole(role)) throw corrupt('token', row);
  const createdAt = integerOf(row.createdAt ?? row.created_at, 'token');
  return Object.freeze({ name: textOf(row, 'name', 'token'), role, hash: textOf(row, 'hash', 'token'), createdAt });
}


/** Stamps an event with its place in the log, normalised as it will read back. */
export function commitEvent(
  event: RegistryEvent,
  revision: Revision,
  index: number,
  timestamp: number,
): { readonly data: string; readonly committed: CommittedEvent } {
  const data = JSON.stringify(event);
  return { data, committed: stampEvent(parseObject(data, 'event'), revision, index, timestamp) };
}

/** A row of `SELECT revision, idx, timestamp, data FROM events`. */
export function decodeEventRow(value: unknown): CommittedEvent {
  const row = rowOf(value, 'events row');
  const revision = asRevision(integerOf(row.revision, 'events row'));
  const data = parseObject(textOf(row, 'data', 'events row'), 'event');
  return stampEvent(data, revision, integerOf(row.idx, 'events row'), integerOf(row.timestamp, 'events row'));
}
