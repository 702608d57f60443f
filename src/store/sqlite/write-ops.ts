import type Database from 'better-sqlite3';
import type { SqliteStatements } from './statements.js';

/**
 * A write's rows as data: the main thread runs write functions and records the statements their
 * changes need; the commit worker (commit-worker.ts) runs them on the only connection. The row
 * writers (writeTokenRows, writeAllocationRows, …) are the same code on both sides of that line:
 * they take anything with a `run` shaped like the statement's.
 */

export type SqlParam = string | number | null;

/** Every statement a write's rows may run, by the name the worker knows it under. */
export const WRITE_STATEMENT_NAMES = [
  'putService',
  'deleteService',
  'insertEvent',
  'putDeployment',
  'pruneDeployments',
  'deleteAllocation',
  'insertAllocation',
  'putPool',
  'addFree',
  'removeFree',
  'putToken',
  'deleteToken',
  'putOutcome',
] as const;
export type WriteStatementName = (typeof WRITE_STATEMENT_NAMES)[number];

/** One statement run: its name, then its parameters. */
export type SqlOp = readonly [WriteStatementName, ...SqlParam[]];

/** The `run` of the statements `K` of a group, and nothing else of them. */
export type RunOnly<S, K extends keyof S> = {
  readonly [P in K]: S[P] extends { run: (...params: infer A) => unknown } ? { run(...params: A): unknown } : never;
};

type Groups = SqliteStatements;

/** What the row writers need: the write statements of each group. */
export interface WriteStatements {
  readonly main: RunOnly<Groups['main'], 'putService' | 'deleteService' | 'insertEvent'>;
  readonly deployments: RunOnly<Groups['deployments'], 'put' | 'prune'>;
  readonly allocations: RunOnly<Groups['allocations'], 'deleteAllocation' | 'insertAllocation' | 'putPool' | 'addFree' | 'removeFree'>;
  readonly tokens: RunOnly<Groups['tokens'], 'put' | 'delete'>;
  readonly requests: RunOnly<Groups['requests'], 'put'>;
}

/** Statements that record each run into `ops` instead of running it. */
export function recordingStatements(ops: SqlOp[]): WriteStatements {
  const op = (name: WriteStatementName) => ({
    run: (...params: SqlParam[]): void => {
      ops.push([name, ...params]);
    },
  });
  return {
    main: { putService: op('putService'), deleteService: op('deleteService'), insertEvent: op('insertEvent') },
    deployments: { put: op('putDeployment'), prune: op('pruneDeployments') },
    allocations: {
      deleteAllocation: op('deleteAllocation'),
      insertAllocation: op('insertAllocation'),
      putPool: op('putPool'),
      addFree: op('addFree'),
      removeFree: op('removeFree'),
    },
    tokens: { put: op('putToken'), delete: op('deleteToken') },
    requests: { put: op('putOutcome') },
  };
}

/** The real statements behind each name (the worker's side). */
export function statementsByName(s: SqliteStatements): Readonly<Record<WriteStatementName, Database.Statement>> {
  return {
    putService: s.main.putService,
    deleteService: s.main.deleteService,
    insertEvent: s.main.insertEvent,
    putDeployment: s.deployments.put,
    pruneDeployments: s.deployments.prune,
    deleteAllocation: s.allocations.deleteAllocation,
    insertAllocation: s.allocations.insertAllocation,
    putPool: s.allocations.putPool,
    addFree: s.allocations.addFree,
    removeFree: s.allocations.removeFree,
    putToken: s.tokens.put,
    deleteToken: s.tokens.delete,
    putOutcome: s.requests.put,
  };
}

export const isWriteStatementName = (value: unknown): value is WriteStatementName =>
  typeof value === 'string' && (WRITE_STATEMENT_NAMES as readonly string[]).includes(value);

export const isSqlParam = (value: unknown): value is SqlParam => value === null || typeof value === 'string' || typeof value === 'number';
