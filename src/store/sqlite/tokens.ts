import type Database from 'better-sqlite3';
import { isGrantedRole } from '../../domain/index.js';
import { corruption } from '../codec.js';
import type { TokenChanges, TokenRecord } from '../tokens.js';
import type { WriteStatements } from './write-ops.js';

/** Migration 4: bearer tokens, by name, with the SHA-256 of the secret (never the secret). */
export const tokensMigrationSql = `
  CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  ) STRICT;
`;

/** Migration 6: a token may expire (`registry ui` mints short-lived ones); NULL never expires. */
export const tokenExpiryMigrationSql = `
  ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
`;

/** The token statements, prepared once per connection. Rows come back `unknown` for the decoder. */
export interface TokenStatements {
  readonly all: Database.Statement<[]>;
  readonly put: Database.Statement<[name: string, role: string, hash: string, createdAt: number, expiresAt: number | null]>;
  readonly delete: Database.Statement<[name: string]>;
}

export function prepareTokenStatements(db: Database.Database): TokenStatements {
  return {
    all: db.prepare('SELECT name, role, hash, created_at, expires_at FROM tokens ORDER BY name'),
    put: db.prepare(
      `INSERT INTO tokens (name, role, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, hash = excluded.hash, created_at = excluded.created_at, expires_at = excluded.expires_at`,
    ),
    delete: db.prepare('DELETE FROM tokens WHERE name = ?'),
  };
}


/** Decoder for what this store wrote itself: shape checks; a failure means a corrupt file. */
function decodeTokenRow(row: unknown): TokenRecord {
  if (typeof row === 'object' && row !== null && 'name' in row && 'role' in row && 'hash' in row && 'created_at' in row && 'expires_at' in row) {
    const { name, role, hash, created_at: createdAt, expires_at: expiresAt } = row;
    if (typeof name === 'string' && isGrantedRole(role) && typeof hash === 'string' && typeof createdAt === 'number') {
      if (expiresAt === null) return Object.freeze({ name, role, hash, createdAt });
      if (typeof expiresAt === 'number') return Object.freeze({ name, role, hash, createdAt, expiresAt });
    }
  }
  throw corruption('SQLite', 'token row', row);
}

/** Every token, from the rows read at open. */
export function decodeTokenRows(rows: readonly unknown[]): TokenRecord[] {
  return rows.map(decodeTokenRow);
}

/** Writes a write's token changes inside its savepoint. */
export function writeTokenRows(statements: WriteStatements['tokens'], changes: TokenChanges): void {
  for (const [name, token] of changes) {
    if (token === null) statements.delete.run(name);
    else statements.put.run(token.name, token.role, token.hash, token.createdAt, token.expiresAt ?? null);
  }
}
