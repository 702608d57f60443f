import type Database from 'better-sqlite3';
import type { AllocationChanges, AllocationSnapshot, IpAllocation, IpPoolState } from '../allocations.js';
import { corruption, isObject as isRow, type JsonObject as Row } from '../codec.js';
import type { WriteStatements } from './write-ops.js';

/** The IP allocation statements (migration 2), prepared once per connection. */
export interface AllocationStatements {
  readonly allAllocations: Database.Statement<[]>;
  readonly allPools: Database.Statement<[]>;
  readonly allFree: Database.Statement<[]>;
  readonly deleteAllocation: Database.Statement<[network: string, address: string]>;
  readonly insertAllocation: Database.Statement<[network: string, address: string, owner: string, allocatedAt: number]>;
  readonly putPool: Database.Statement<[network: string, cidr: string, cursor: string]>;
  readonly addFree: Database.Statement<[network: string, address: string]>;
  readonly removeFree: Database.Statement<[network: string, address: string]>;
}

export function prepareAllocationStatements(db: Database.Database): AllocationStatements {
  return {
    allAllocations: db.prepare('SELECT network, address, owner, allocated_at FROM ip_allocations'),
    allPools: db.prepare('SELECT network, cidr, cursor FROM ip_pools'),
    // rowid grows with each insert, so this is release order.
    allFree: db.prepare('SELECT network, address FROM ip_free ORDER BY rowid'),
    deleteAllocation: db.prepare('DELETE FROM ip_allocations WHERE network = ? AND address = ?'),
    insertAllocation: db.prepare('INSERT INTO ip_allocations (network, address, owner, allocated_at) VALUES (?, ?, ?, ?)'),
    putPool: db.prepare(
      `INSERT INTO ip_pools (network, cidr, cursor) VALUES (?, ?, ?)
       ON CONFLICT (network) DO UPDATE SET cidr = excluded.cidr, cursor = excluded.cursor`,
    ),
    addFree: db.prepare('INSERT OR IGNORE INTO ip_free (network, address) VALUES (?, ?)'),
    removeFree: db.prepare('DELETE FROM ip_free WHERE network = ? AND address = ?'),
  };
}

export const allocationsMigrationSql = `
  CREATE TABLE ip_allocations (
    network TEXT NOT NULL,
    address TEXT NOT NULL,
    owner TEXT NOT NULL,
    allocated_at INTEGER NOT NULL,
    PRIMARY KEY (network, address)
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX ip_allocations_by_owner ON ip_allocations (network, owner);
  CREATE TABLE ip_pools (
    network TEXT PRIMARY KEY,
    cidr TEXT NOT NULL,
    cursor TEXT NOT NULL
  ) STRICT;
  CREATE TABLE ip_free (
    network TEXT NOT NULL,
    address TEXT NOT NULL,
    UNIQUE (network, address)
  ) STRICT;
`;

const corrupt = (what: string, value: unknown): Error => corruption('SQLite', what, value);

function text(row: Row, key: string, what: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw corrupt(what, row);
  return value;
}

function decodeAllocation(row: unknown): IpAllocation {
  if (!isRow(row) || typeof row.allocated_at !== 'number') throw corrupt('ip_allocations row', row);
  const what = 'ip_allocations row';
  return { network: text(row, 'network', what), address: text(row, 'address', what), owner: text(row, 'owner', what), allocatedAt: row.allocated_at };
}

function decodePool(row: unknown): IpPoolState {
  if (!isRow(row)) throw corrupt('ip_pools row', row);
  const cursor = text(row, 'cursor', 'ip_pools row');
  if (!/^\d+$/.test(cursor)) throw corrupt('ip_pools row', row);
  return { network: text(row, 'network', 'ip_pools row'), cidr: text(row, 'cidr', 'ip_pools row'), cursor };
}

function decodeFree(row: unknown): { network: string; address: string } {
  if (!isRow(row)) throw corrupt('ip_free row', row);
  return { network: text(row, 'network', 'ip_free row'), address: text(row, 'address', 'ip_free row') };
}

/** The rows of the allocation tables, as read at open. */
export interface AllocationRows {
  readonly allocations: readonly unknown[];
  readonly pools: readonly unknown[];
  readonly free: readonly unknown[];
}

export const readAllocationRows = (statements: AllocationStatements): AllocationRows => ({
  allocations: statements.allAllocations.all(),
  pools: statements.allPools.all(),
  free: statements.allFree.all(),
});

/** Everything the allocation view holds, from the rows read at open. */
export function decodeAllocationRows(rows: AllocationRows): AllocationSnapshot {
  return { allocations: rows.allocations.map(decodeAllocation), pools: rows.pools.map(decodePool), free: rows.free.map(decodeFree) };
}

/**
 * Writes one write's allocation changes inside its savepoint. Every touched address is deleted
 * before any is inserted, so moving addresses between owners never trips the per-owner index.
 */
export function writeAllocationRows(statements: WriteStatements['allocations'], changes: AllocationChanges): void {
  if (changes.isEmpty) return;
  for (const [network, { byAddress }] of changes.allocations) {
    for (const address of byAddress.keys()) statements.deleteAllocation.run(network, address);
  }
  for (const { byAddress } of changes.allocations.values()) {
    for (const a of byAddress.values()) if (a !== null) statements.insertAllocation.run(a.network, a.address, a.owner, a.allocatedAt);
  }
  for (const pool of changes.pools.values()) statements.putPool.run(pool.network, pool.cidr, pool.cursor);
  for (const [network, entries] of changes.free) {
    for (const [address, present] of entries) {
      if (present) statements.addFree.run(network, address);
      else statements.removeFree.run(network, address);
    }
  }
}
