import { asRevision, type CommittedEvent, isGrantedRole } from '../../domain/index.js';
import { corruption, decodeEventData, isObject, type JsonObject } from '../codec.js';
import type { IpAllocation, IpPoolState } from '../allocations.js';
import type { TokenRecord } from '../tokens.js';

/**
 * Decoders of the PostgreSQL rows, around the shared record codec: shape checks, then `as`. A
 * failure means a corrupt database. This is the only place PostgreSQL `bigint` (text on the wire)
 * becomes a number.
 */

export const corrupt = (what: string, value: unknown): Error => corruption('PostgreSQL', what, value);

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


export function decodeToken(value: unknown): TokenRecord {
  const row = rowOf(value, 'token');
  const role = row.role;
  if (!isGrantedRole(role)) throw corrupt('token', row);
  const createdAt = integerOf(row.createdAt ?? row.created_at, 'token');
  const expires = row.expiresAt ?? row.expires_at;
  const token = { name: textOf(row, 'name', 'token'), role, hash: textOf(row, 'hash', 'token'), createdAt };
  return Object.freeze(expires === undefined || expires === null ? token : { ...token, expiresAt: integerOf(expires, 'token') });
}

/** A row of `SELECT revision, idx, timestamp, data FROM events`. */
export function decodeEventRow(value: unknown): CommittedEvent {
  const row = rowOf(value, 'events row');
  const revision = asRevision(integerOf(row.revision, 'events row'));
  return decodeEventData(textOf(row, 'data', 'events row'), revision, integerOf(row.idx, 'events row'), integerOf(row.timestamp, 'events row'));
}
