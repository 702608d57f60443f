/**
 * The SQLite store's commit worker (a worker_threads entry). It owns the store's only connection:
 * it opens, checks and migrates the file, reads what the views are built from, then runs each group
 * commit (savepoints, bookkeeping, COMMIT and its fsync) off the main thread's event loop. The
 * main thread runs the write functions and decides everything; the worker only writes rows.
 */
import { parentPort, workerData } from 'node:worker_threads';
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
import { type CommitAnswer, type CommitRequest, decodeRequest, faultOf, type LoadedRows, type ProbeAnswer, type WorkerMessage, type WorkerRequest } from './worker-protocol.js';
import { type SqlOp, statementsByName, type WriteStatementName } from './write-ops.js';

interface Open {
  readonly db: Database.Database;
  readonly statements: SqliteStatements;
  readonly byName: Readonly<Record<WriteStatementName, Database.Statement>>;
  readonly gate: SharedArrayBuffer | undefined;
}

function startOptions(value: unknown): { location: string; gate: SharedArrayBuffer | undefined } {
  if (typeof value !== 'object' || value === null || !('location' in value) || typeof value.location !== 'string') {
    throw new Error('the SQLite commit worker was started without a location');
  }
  const gate = 'commitGate' in value && value.commitGate instanceof SharedArrayBuffer ? value.commitGate : undefined;
  return { location: value.location, gate };
}

function readLoaded(open: Open, path: string): LoadedRows {
  const { main, deployments, allocations, tokens } = open.statements;
  return {
    path,
    services: main.allServices.all(),
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

function probe(open: Open): ProbeAnswer {
  const rows = open.db.pragma('integrity_check', { simple: false });
  const line = (row: unknown): string =>
    typeof row === 'object' && row !== null && 'integrity_check' in row ? String(row.integrity_check) : JSON.stringify(row);
  return {
    integrity: Array.isArray(rows) ? rows.map(line) : [JSON.stringify(rows)],
    synchronous: Number(open.db.pragma('synchronous', { simple: true })),
    journalMode: String(open.db.pragma('journal_mode', { simple: true })),
    schemaVersion: readUserVersion(open.db),
  };
}

function handle(open: Open, request: WorkerRequest): unknown {
  switch (request.type) {
    case 'commit':
      return commit(open, request);
    case 'outcomes':
      return readOutcomeRows(open.statements.requests, request.ids, request.notBefore);
    case 'events':
      return open.statements.main.eventsSince.all(request.after, request.upTo, request.limit);
    case 'probe':
      return probe(open);
    case 'close':
      open.db.close();
      return null;
    default:
      return request satisfies never;
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('commit-worker.js runs only as a worker thread');
  const post = (message: WorkerMessage): void => port.postMessage(message);
  let open: Open;
  try {
    const { location, gate } = startOptions(workerData);
    const { db, path } = await openDatabase(location);
    try {
      const statements = prepareAllStatements(db);
      open = { db, statements, byName: statementsByName(statements), gate };
      post({ type: 'loaded', rows: readLoaded(open, path) });
    } catch (error) {
      db.close();
      throw new RegistryError('unavailable', `cannot read the SQLite store ${path}: ${reasonOf(error)}`, { cause: error });
    }
  } catch (error) {
    post({ type: 'failed', fault: faultOf(error) });
    return;
  }
  port.on('message', (message: unknown) => {
    let id = -1;
    let closing = false;
    try {
      const decoded = decodeRequest(message);
      id = decoded.id;
      closing = decoded.request.type === 'close';
      post({ type: 'answer', id, ok: handle(open, decoded.request) });
    } catch (error) {
      post({ type: 'answer', id, fault: faultOf(error) });
    } finally {
      // Nothing else holds the thread: closing the port ends it.
      if (closing) port.close();
    }
  });
}

void main();
