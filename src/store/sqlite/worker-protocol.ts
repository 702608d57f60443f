import { type ErrorCode, isErrorCode, RegistryError } from '../../domain/index.js';
import { isObject } from '../codec.js';
import type { AllocationRows } from './allocations.js';
import { isSqlParam, isWriteStatementName, type SqlOp } from './write-ops.js';

/**
 * The messages between the SQLite store (main thread) and its commit worker. Both sides are this
 * package, but a message is still a boundary: each side decodes what it receives.
 */

/** What a store asks the worker to open. */
export interface WorkerStart {
  readonly location: string;
  /** Test-only: the worker waits on this before each COMMIT (commit-gate.ts). */
  readonly commitGate: SharedArrayBuffer | undefined;
}

/**
 * The rows the worker read at open; the main thread decodes them into its views. Services, the
 * table that grows with the registry, are not among them: they come in pages (ServicePage).
 */
export interface LoadedRows {
  readonly path: string;
  readonly deployments: readonly unknown[];
  readonly allocations: AllocationRows;
  readonly tokens: readonly unknown[];
  readonly revision: unknown;
  readonly compactRevision: unknown;
}

/**
 * Up to `limit` service records whose names sort after `after`, in name order: their JSON joined
 * by newlines (JSON text holds none) as UTF-8 bytes, handed over rather than copied, so neither
 * thread holds the whole table twice and the worker keeps no copy of it.
 */
export interface ServicePage {
  readonly records: Uint8Array;
  readonly count: number;
  /** The name of the page's last record: the next page starts after it. */
  readonly last: string | null;
}

/** One group commit: each write's rows (one savepoint each), then the batch's bookkeeping, then COMMIT. */
export interface CommitRequest {
  readonly type: 'commit';
  readonly writes: readonly (readonly SqlOp[])[];
  /** `meta` rows to set (revision, compact_revision). */
  readonly meta: readonly (readonly [string, string])[];
  readonly deleteEventsUpTo: number | null;
  readonly pruneRequestsBefore: number | null;
}

/** The writes (by position) whose rows SQLite refused; empty when the batch committed. */
export interface CommitAnswer {
  readonly refused: readonly { readonly index: number; readonly reason: string }[];
}

export type WorkerRequest =
  | ({ readonly type: 'open' } & WorkerStart)
  | CommitRequest
  | { readonly type: 'services'; readonly after: string; readonly limit: number }
  | { readonly type: 'outcomes'; readonly ids: readonly string[]; readonly notBefore: number }
  /** `[id, created_at]` of the `limit` newest request outcomes since `notBefore`, newest first. */
  | { readonly type: 'requestIds'; readonly notBefore: number; readonly limit: number }
  | { readonly type: 'events'; readonly after: number; readonly upTo: number; readonly limit: number }
  | { readonly type: 'probe' }
  | { readonly type: 'close' };

/** The PRAGMAs the tests read (SqliteDiagnostics). */
export interface ProbeAnswer {
  readonly integrity: readonly string[];
  readonly synchronous: number;
  readonly journalMode: string;
  readonly schemaVersion: number;
  /** The commit worker's own V8 heap and the memory outside it (`process.memoryUsage()` in the worker, RSS left out: it is the process's). */
  readonly workerMemory: WorkerMemory;
}

export interface WorkerMemory {
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** A failure as it crosses the thread: enough to rebuild the RegistryError. */
export interface WireFault {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export type WorkerMessage =
  | { readonly type: 'answer'; readonly id: number; readonly ok: unknown }
  | { readonly type: 'answer'; readonly id: number; readonly fault: WireFault };

export const faultOf = (error: unknown): WireFault =>
  error instanceof RegistryError
    ? { code: error.code, message: error.message, details: { ...error.details } }
    : { code: 'unavailable', message: error instanceof Error ? error.message : String(error), details: {} };

export function decodeFault(value: unknown): RegistryError {
  if (isObject(value) && isErrorCode(value.code) && typeof value.message === 'string') {
    return new RegistryError(value.code, value.message, { details: isObject(value.details) ? value.details : {} });
  }
  return new RegistryError('unavailable', 'the SQLite commit worker answered with a malformed fault');
}

const malformed = (what: string): Error => new Error(`malformed ${what} between the SQLite store and its commit worker`);

const isNumber = (value: unknown): value is number => typeof value === 'number';

export const rowsOf = (value: unknown, what: string): readonly unknown[] => {
  if (!Array.isArray(value)) throw malformed(what);
  return value;
};

export function decodeLoaded(value: unknown): LoadedRows {
  if (!isObject(value) || typeof value.path !== 'string' || !isObject(value.allocations)) throw malformed('loaded rows');
  const { allocations } = value;
  return {
    path: value.path,
    deployments: rowsOf(value.deployments, 'deployments rows'),
    allocations: { allocations: rowsOf(allocations.allocations, 'allocation rows'), pools: rowsOf(allocations.pools, 'pool rows'), free: rowsOf(allocations.free, 'free rows') },
    tokens: rowsOf(value.tokens, 'token rows'),
    revision: value.revision,
    compactRevision: value.compactRevision,
  };
}

export function decodeServicePage(value: unknown): ServicePage {
  if (!isObject(value) || !(value.records instanceof Uint8Array) || !isNumber(value.count)) throw malformed('services page');
  if (value.last !== null && typeof value.last !== 'string') throw malformed('services page');
  return { records: value.records, count: value.count, last: value.last };
}

export function decodeCommitAnswer(value: unknown): CommitAnswer {
  if (!isObject(value)) throw malformed('commit answer');
  const refused = rowsOf(value.refused, 'commit answer').map((entry) => {
    if (!isObject(entry) || typeof entry.index !== 'number' || typeof entry.reason !== 'string') throw malformed('commit answer');
    return { index: entry.index, reason: entry.reason };
  });
  return { refused };
}

function decodeWorkerMemory(value: unknown): WorkerMemory {
  if (!isObject(value)) throw malformed('probe');
  const { heapUsed, heapTotal, external, arrayBuffers } = value;
  if (!isNumber(heapUsed) || !isNumber(heapTotal) || !isNumber(external) || !isNumber(arrayBuffers)) throw malformed('probe');
  return { heapUsed, heapTotal, external, arrayBuffers };
}

export function decodeProbe(value: unknown): ProbeAnswer {
  if (!isObject(value) || typeof value.synchronous !== 'number' || typeof value.journalMode !== 'string' || typeof value.schemaVersion !== 'number') throw malformed('probe');
  return {
    integrity: rowsOf(value.integrity, 'probe').map(String),
    synchronous: value.synchronous,
    journalMode: value.journalMode,
    schemaVersion: value.schemaVersion,
    workerMemory: decodeWorkerMemory(value.workerMemory),
  };
}

function decodeOps(value: unknown): SqlOp[] {
  return rowsOf(value, 'write rows').map((op) => {
    const [name, ...params] = rowsOf(op, 'write rows');
    if (!isWriteStatementName(name) || !params.every(isSqlParam)) throw malformed('write rows');
    return [name, ...params];
  });
}

/** The worker's side: what the main thread asked, and for which store. */
export function decodeRequest(value: unknown): { readonly id: number; readonly store: number; readonly request: WorkerRequest } {
  if (!isObject(value) || typeof value.id !== 'number' || typeof value.store !== 'number') throw malformed('request');
  return { id: value.id, store: value.store, request: decodeRequestBody(value) };
}

function decodeRequestBody(value: Record<string, unknown>): WorkerRequest {
  switch (value.type) {
    case 'open': {
      if (typeof value.location !== 'string') throw malformed('open request');
      const commitGate = value.commitGate instanceof SharedArrayBuffer ? value.commitGate : undefined;
      return { type: 'open', location: value.location, commitGate };
    }
    case 'commit': {
      const meta = rowsOf(value.meta, 'meta rows').map((row) => {
        const [key, text] = rowsOf(row, 'meta rows');
        if (typeof key !== 'string' || typeof text !== 'string') throw malformed('meta rows');
        return [key, text] as const;
      });
      const optional = (field: unknown): number | null => (isNumber(field) ? field : null);
      const writes = rowsOf(value.writes, 'writes').map(decodeOps);
      return { type: 'commit', writes, meta, deleteEventsUpTo: optional(value.deleteEventsUpTo), pruneRequestsBefore: optional(value.pruneRequestsBefore) };
    }
    case 'services':
      if (typeof value.after !== 'string' || !isNumber(value.limit)) throw malformed('services request');
      return { type: 'services', after: value.after, limit: value.limit };
    case 'outcomes':
      if (!isNumber(value.notBefore)) throw malformed('outcomes request');
      return { type: 'outcomes', ids: rowsOf(value.ids, 'request ids').map(String), notBefore: value.notBefore };
    case 'requestIds':
      if (!isNumber(value.notBefore) || !isNumber(value.limit)) throw malformed('request ids request');
      return { type: 'requestIds', notBefore: value.notBefore, limit: value.limit };
    case 'events':
      if (!isNumber(value.after) || !isNumber(value.upTo) || !isNumber(value.limit)) throw malformed('events request');
      return { type: 'events', after: value.after, upTo: value.upTo, limit: value.limit };
    case 'probe':
    case 'close':
      return { type: value.type };
    default:
      throw malformed('request');
  }
}
