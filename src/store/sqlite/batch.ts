import { type Revision } from '../../domain/index.js';
import { compactionPoint, type PreparedWrite } from '../batch.js';
import type { CommitChanges } from '../committed.js';
import { DEFAULT_DEPLOYMENT_RETENTION } from '../types.js';
import { writeAllocationRows } from './allocations.js';
import { writeDeploymentRows } from './deployments.js';
import { writeOutcomeRow } from './requests.js';
import { writeTokenRows } from './tokens.js';
import type { CommitRequest } from './worker-protocol.js';
import { recordingStatements, type SqlOp } from './write-ops.js';

/**
 * The main thread's side of a SQLite group commit: the rows each write's changes need, recorded
 * as statements for the commit worker to run in that write's savepoint, and the batch's
 * bookkeeping (revision, event-log compaction, request pruning) decided here.
 */

/** The statements one successful write's changes need. */
export function recordWriteRows({ tx, events, outcome }: PreparedWrite): SqlOp[] {
  const ops: SqlOp[] = [];
  const { main, deployments, allocations, tokens, requests } = recordingStatements(ops);
  for (const [name, service] of tx.changes.services) {
    if (service === null) main.deleteService.run(name);
    else main.putService.run(name, service.id, service.revision, tx.serviceJson.get(name) ?? JSON.stringify(service));
  }
  for (const { data, committed } of events) {
    main.insertEvent.run(committed.revision, committed.index, committed.type, committed.timestamp, data);
  }
  writeDeploymentRows(deployments, tx.changes.deployments, tx.deploymentJson, DEFAULT_DEPLOYMENT_RETENTION);
  writeAllocationRows(allocations, tx.changes.allocations);
  writeTokenRows(tokens, tx.changes.tokens);
  if (outcome !== undefined) writeOutcomeRow(requests, outcome);
  return ops;
}

/** The statements a snapshot's records need (the store checked it is empty). */
export function recordRestoreRows(changes: CommitChanges): SqlOp[] {
  const ops: SqlOp[] = [];
  const { main, deployments, allocations, tokens } = recordingStatements(ops);
  for (const [name, service] of changes.services) if (service !== null) main.putService.run(name, service.id, service.revision, JSON.stringify(service));
  writeDeploymentRows(deployments, changes.deployments, new Map(), DEFAULT_DEPLOYMENT_RETENTION);
  writeAllocationRows(allocations, changes.allocations);
  writeTokenRows(tokens, changes.tokens);
  return ops;
}

export interface Bookkeeping {
  /** The committed revision and compaction point the batch starts from. */
  readonly revision: Revision;
  readonly compactRevision: Revision;
  readonly eventRetention: number;
  /** Request outcomes created before this are deleted in this transaction, when set (the window has passed). */
  readonly pruneRequestsBefore: number | undefined;
}

/** The commit of a batch that ends at `batchRevision`, and the compaction point once it commits. */
export function commitRequest(
  writes: readonly (readonly SqlOp[])[],
  batchRevision: Revision,
  book: Bookkeeping,
): { readonly request: CommitRequest; readonly compactRevision: number } {
  const meta: [string, string][] = [];
  let compactRevision: number = book.compactRevision;
  let deleteEventsUpTo: number | null = null;
  if (batchRevision > book.revision) {
    meta.push(['revision', String(batchRevision)]);
    const due = compactionPoint(batchRevision, book.compactRevision, book.eventRetention);
    if (due !== undefined) {
      deleteEventsUpTo = due;
      compactRevision = due;
      meta.push(['compact_revision', String(due)]);
    }
  }
  const pruneRequestsBefore = book.pruneRequestsBefore ?? null;
  return { request: { type: 'commit', writes, meta, deleteEventsUpTo, pruneRequestsBefore }, compactRevision };
}
