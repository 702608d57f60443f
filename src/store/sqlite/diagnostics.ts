import type { Store } from '../types.js';
import type { ProbeAnswer, WorkerMemory } from './worker-protocol.js';

/** Test-only probes into an open SQLite store; the PRAGMAs are read by its commit worker. */
export interface SqliteDiagnostics {
  readonly path: string;
  /** `PRAGMA integrity_check`: `['ok']` for a sound file. */
  integrityCheck(): Promise<readonly string[]>;
  /** `PRAGMA synchronous`: 2 is FULL. */
  synchronous(): Promise<number>;
  journalMode(): Promise<string>;
  schemaVersion(): Promise<number>;
  /** The commit worker's heap and the memory outside it, in bytes. */
  workerMemory(): Promise<WorkerMemory>;
  /** Transactions committed by group commit since this store was opened. */
  transactions(): number;
  /** Batches that asked the worker for the outcomes of their request ids (the others needed not). */
  outcomeLookups(): number;
  /** Ends the commit worker as a crash would (`worker.terminate()`). */
  terminateWorker(): Promise<void>;
}

interface DiagnosticsSource {
  readonly path: string;
  readonly transactions: () => number;
  readonly outcomeLookups: () => number;
  readonly probe: () => Promise<ProbeAnswer>;
  readonly terminateWorker: () => Promise<void>;
}

const sources = new WeakMap<Store, DiagnosticsSource>();

export function registerDiagnostics(store: Store, source: DiagnosticsSource): void {
  sources.set(store, source);
}

/** Probes for a store opened on SQLite; throws for any other store (a bug in the test). */
export function sqliteDiagnostics(store: Store): SqliteDiagnostics {
  const source = sources.get(store);
  if (source === undefined) throw new Error(`not an SQLite store (kind ${store.kind})`);
  const { probe } = source;
  return {
    path: source.path,
    integrityCheck: async () => (await probe()).integrity,
    synchronous: async () => (await probe()).synchronous,
    journalMode: async () => (await probe()).journalMode,
    schemaVersion: async () => (await probe()).schemaVersion,
    workerMemory: async () => (await probe()).workerMemory,
    transactions: source.transactions,
    outcomeLookups: source.outcomeLookups,
    terminateWorker: source.terminateWorker,
  };
}
