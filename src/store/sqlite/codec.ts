import { asRevision, type CommittedEvent } from '../../domain/index.js';
import { corruption, decodeEventData, isObject } from '../codec.js';

/** Decoders of the SQLite rows: shape checks around the shared record codec. A failure means a corrupt file. */

const corrupt = (what: string, value: unknown): Error => corruption('SQLite', what, value);

/** A row of `SELECT revision, idx, timestamp, data FROM events`. */
export function decodeEventRow(row: unknown): CommittedEvent {
  if (!isObject(row)) throw corrupt('events row', row);
  const { revision, idx, timestamp, data } = row;
  if (typeof revision !== 'number' || typeof idx !== 'number' || typeof timestamp !== 'number') {
    throw corrupt('events row', row);
  }
  if (typeof data !== 'string') throw corrupt('events row', row);
  return decodeEventData(data, asRevision(revision), idx, timestamp);
}

/** A row of `SELECT value FROM meta WHERE key = ?`, read as an integer. */
export function decodeMetaInteger(row: unknown, key: string): number {
  if (row === undefined) return 0;
  if (!isObject(row) || typeof row.value !== 'string') throw corrupt(`meta '${key}'`, row);
  const number = Number(row.value);
  if (!Number.isSafeInteger(number) || number < 0) throw corrupt(`meta '${key}'`, row);
  return number;
}
