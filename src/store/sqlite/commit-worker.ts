/**
 * The SQLite commit worker (a worker_threads entry, one per process). It owns the connection of
 * each SQLite store the process opens, the only one to its file: it opens, checks and migrates the
 * file, reads what the views are built from, then runs each group commit (savepoints,
 * bookkeeping, COMMIT and its fsync) off the main thread's event loop. The main thread runs the
 * write functions and decides everything; the worker only writes rows.
 */
import { parentPort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { RegistryError } from '../../domain/index.js';
import { DEFAULT_DEPLOYMENT_RETENTION } from '../types.js';
import { readAllocationRows } from './allocations.js';
import { waitAtGate } from './commit-gate.js';
import { openDatabase } from './connection.js';
import { reasonOf } from './errno.js';
import { readUserVersion } from './migrations.js';
import { readOutcomeRows } from './requests.js';
import { prepareAllStatements, type SqliteStatements } from './statements.js';
import { type CommitAnswer, type CommitRequest, decodeRequest, faultOf, type LoadedRows, type ProbeAnswer, type ServicePage, type WorkerMessage, type WorkerRequest } from './worker-protocol.js';
import { type SqlOp, statementsByName, type WriteStatementName } from './write-ops.js';

interface Open {
  readonly db: Database.Database;
  readonly statements: SqliteStatements;
  readonly byName: Readonly<Record<WriteStatementName, Database.Statement>>;
  readonly gate: SharedArrayBuffer | undefined;
}

/** What a request answers, and the buffers the answer hands over rather than copies. */
interface Reply {
  readonly ok: unknown;
  readonly transfer?: readonly ArrayBuffer[];
}

function readLoaded(open: Open, path: string): LoadedRows {
  const { main, deployments, allocations, tokens } = open.statements;
  return {
    path,
    deployments: deployments.recent.all(DEFAULT_DEPLOYMENT_RETENTION),
    allocations: readAllocationRows(allocations),
    tokens: tokens.all.all(),
    revision: main.readMeta.get('revision'),
    compactRevision: main.readMeta.get('compact_revision'),
  };
}

function runOps(open: Open, ops: readonly SqlOp[]): void {
  for (const [name, ...params] of ops) open.byName[name].run(...params);
}

/** Undoes a refused write's rows; false when the whole transaction is gone or unusable. */
function rollbackSavepoint(open: Open): boolean {
  if (!open.db.inTransaction) return false;
  try {
    open.statements.main.rollbackToSavepoint.run();
    open.statements.main.releaseSavepoint.run();
    return true;
  } catch {
    return false;
  }
}

function abort(open: Open): void {
  if (!open.db.inTransaction) return;
  try {
    open.statements.main.rollback.run();
  } catch {
    // The connection already gave the transaction up; nothing is left to undo.
  }
}

/**
 * One transaction: each write's rows in its savepoint. A write whose rows SQLite refuses is rolled
 * back alone and named; then nothing commits (the main thread ran later writes over its changes,
 * and runs them again without it). A failure the savepoint cannot undo fails the whole batch.
 */
function commit(open: Open, request: CommitRequest): CommitAnswer {
  const { main, requests } = open.statements;
  const refused: { index: number; reason: string }[] = [];
  try {
    main.begin.run();
    for (const [index, ops] of request.writes.entries()) {
      if (ops.length === 0) continue;
      main.savepoint.run();
      try {
        runOps(open, ops);
        main.releaseSavepoint.run();
      } catch (cause) {
        if (!rollbackSavepoint(open)) throw cause;
        refused.push({ index, reason: reasonOf(cause) });
      }
    }
    if (refused.length > 0) {
      abort(open);
      return { refused };
    }
    for (const [key, value] of request.meta) main.writeMeta.run(key, value);
    if (request.deleteEventsUpTo !== null) main.deleteEventsUpTo.run(request.deleteEventsUpTo);
    if (request.pruneRequestsBefore !== null) requests.pruneBefore.run(request.pruneRequestsBefore);
    if (open.gate !== undefined) waitAtGate(open.gate);
    main.commit.run();
    return { refused: [] };
  } catch (cause) {
    abort(open);
    throw cause;
  }
}

/**
 * A page of service records. Its bytes are handed to the main thread, so the worker's heap holds
 * none of the table once the load is done; after the last page the connection gives back the
 * page cache the load filled (SQLite fills it again as commits need it).
 */
function readServicePage(open: Open, after: string, limit: number): Reply {
  const row: unknown = open.statements.main.servicesPage.get(after, limit);
  const field = (key: string): unknown => (typeof row === 'object' && row !== null ? Reflect.get(row, key) : undefined);
  const found = field('records');
  const count = Number(field('count'));
  const last = field('last');
  // A Buffer of its own ArrayBuffer is handed over as it is; anything else is copied into one first.
  const records = found instanceof Uint8Array ? (found.byteOffset === 0 && found.byteLength === found.buffer.byteLength ? found : new Uint8Array(found)) : new Uint8Array(0);
  if (count < limit) open.db.pragma('shrink_memory');
  const page: ServicePage = { records, count, last: typeof last === 'string' ? last : null };
  return { ok: page, transfer: records.buffer instanceof ArrayBuffer ? [records.buffer] : [] };
}

function probe(open: Open): ProbeAnswer {
  const rows = open.db.pragma('integrity_check', { simple: false });
  const line = (row: unknown): string =>
    typeof row === 'object' && row !== null && 'integrity_check' in row ? String(row.integrity_check) : JSON.stringify(row);
  return {
    integrity: Array.isArray(rows) ? rows.map(line) : [JSON.stringify(rows)],
    synchronous: Number(open.db.pragma('synchronous', { simple: true })),
    journalMode: String(open.db.pragma('journal_mode', { simple: true })),
    schemaVersion: readUserVersion(open.db),
    workerMemory: (({ heapUsed, heapTotal, external, arrayBuffers }) => ({ heapUsed, heapTotal, external, arrayBuffers }))(process.memoryUsage()),
  };
}

/** The connections of the stores this process opened, by the id their links gave them. */
const stores = new Map<number, Open>();

/** Opens a store's file (checks, migrations) and reads the rows its views are built from. */
async function openStore(store: number, location: string, gate: SharedArrayBuffer | undefined): Promise<LoadedRows> {
  const { db, path } = await openDatabase(location);
  try {
    const statements = prepareAllStatements(db);
    const open = { db, statements, byName: statementsByName(statements), gate };
    const rows = readLoaded(open, path);
    stores.set(store, open);
    return rows;
  } catch (error) {
    db.close();
    throw new RegistryError('unavailable', `cannot read the SQLite store ${path}: ${reasonOf(error)}`, { cause: error });
  }
}

function handle(store: number, request: Exclude<WorkerRequest, { type: 'open' }>): Reply {
  const open = stores.get(store);
  if (open === undefined) throw new Error(`no open SQLite store ${String(store)} in the commit worker`);
  switch (request.type) {
    case 'commit':
      return { ok: commit(open, request) };
    case 'services':
      return readServicePage(open, request.after, request.limit);
    case 'outcomes':
      return { ok: readOutcomeRows(open.statements.requests, request.ids, request.notBefore) };
    case 'requestIds':
      return { ok: open.statements.requests.recentIds.all(request.notBefore, request.limit) };
    case 'events':
      return { ok: open.statements.main.eventsSince.all(request.after, request.upTo, request.limit) };
    case 'probe':
      return { ok: probe(open) };
    case 'close':
      stores.delete(store);
      open.db.close();
      return { ok: null };
    default:
      return request satisfies never;
  }
}

async function answer(message: unknown): Promise<{ readonly reply: WorkerMessage; readonly transfer: readonly ArrayBuffer[] }> {
  let id = -1;
  try {
    const decoded = decodeRequest(message);
    id = decoded.id;
    const { request } = decoded;
    const { ok, transfer = [] } = request.type === 'open' ? { ok: await openStore(decoded.store, request.location, request.commitGate) } : handle(decoded.store, request);
    return { reply: { type: 'answer', id, ok }, transfer };
  } catch (error) {
    return { reply: { type: 'answer', id, fault: faultOf(error) }, transfer: [] };
  }
}

const port = parentPort;
if (port === null) throw new Error('commit-worker.js runs only as a worker thread');
port.on('message', (message: unknown) => {
  void answer(message).then(({ reply, transfer }) => port.postMessage(reply, transfer));
});
