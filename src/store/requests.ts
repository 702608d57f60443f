import { asRevision, RegistryError, type Revision } from '../domain/index.js';
import { corruption, isObject } from './codec.js';

/**
 * Exactly-once writes over retries: a write that carries a request id is kept with its outcome, in
 * the same transaction as its changes, for the request window; a later write with that id gets the
 * outcome back instead of running again. Both backends look ids up under their write lock, so a
 * retry on another server sharing the database is answered the same.
 */

/** What the first call with a request id committed. */
export interface RecordedOutcome {
  readonly id: string;
  readonly fingerprint: string;
  /** The write function's value, as JSON. */
  readonly value: string;
  /** The revision it committed at, when it emitted events. */
  readonly revision: Revision | undefined;
  /** Milliseconds: the window is counted from here. */
  readonly createdAt: number;
}

/** The same request id sent with other params. */
export function requestIdReused(id: string): RegistryError {
  const message = `'${id}' was already used by a request with other params; give each request its own id`;
  return new RegistryError('invalid_params', `invalid params: request_id: ${message}`, { details: { fields: [{ path: 'request_id', message }] } });
}

/** The outcome a write function's value becomes. */
export function recordOutcome(request: { readonly id: string; readonly fingerprint: string }, value: unknown, revision: Revision | undefined, createdAt: number): RecordedOutcome {
  return { id: request.id, fingerprint: request.fingerprint, value: JSON.stringify(value) ?? 'null', revision, createdAt };
}

/** A row of `SELECT id, fingerprint, value, revision, created_at FROM requests` (numbers as numbers or decimal text). */
export function decodeOutcomeRow(store: string, row: unknown): RecordedOutcome {
  const bad = (): Error => corruption(store, 'request outcome', row);
  if (!isObject(row)) throw bad();
  const { id, fingerprint, value } = row;
  const revision = row.revision === null ? undefined : Number(row.revision);
  const createdAt = Number(row.created_at);
  if (typeof id !== 'string' || typeof fingerprint !== 'string' || typeof value !== 'string') throw bad();
  if ((revision !== undefined && !Number.isSafeInteger(revision)) || !Number.isSafeInteger(createdAt)) throw bad();
  return { id, fingerprint, value, revision: revision === undefined ? undefined : asRevision(revision), createdAt };
}

/** The request ids of a batch's writes, once each. */
export const requestIdsOf = (writes: readonly { readonly request?: { readonly id: string } }[]): string[] => [
  ...new Set(writes.flatMap((write) => (write.request === undefined ? [] : [write.request.id]))),
];
