import { resolve } from 'node:path';
import { RegistryError } from '../domain/index.js';
import { resolveStoreOptions } from './options.js';
import { readSnapshotDocument } from './snapshot.js';
import { migrateSqlite, openSqliteStore } from './sqlite/index.js';
import type { Store, StoreOptions } from './types.js';

const postgresPrefixes = ['postgres://', 'postgresql://'] as const;

/** The PostgreSQL backend, loaded on first use: a SQLite server never loads the pg driver. */
const loadPostgres = (): Promise<typeof import('./postgres/index.js')> => import('./postgres/index.js');

const isPostgresUrl = (location: string): boolean =>
  postgresPrefixes.some((prefix) => location.toLowerCase().startsWith(prefix));

/** `mysql://…`, `sqlite:///x`: anything shaped like a URL that is not PostgreSQL's. */
const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Refuses a location with a URL scheme the store does not speak: it would otherwise be taken for
 * a relative SQLite path (`mysql://foo` becoming the file `./mysql:/foo`).
 */
function checkScheme(location: string): void {
  const scheme = URL_SCHEME.exec(location)?.[1];
  if (scheme === undefined || isPostgresUrl(location)) return;
  throw new RegistryError(
    'invalid_params',
    `the store location ${scheme}://… is not supported: use a SQLite file path, or a postgres:// (or postgresql://) URL`,
    { details: { field: 'location', scheme, accepted: ['<SQLite file path>', 'postgres://', 'postgresql://'] } },
  );
}

/** The files a SQLite store at `location` keeps (the database first, then its log); none for a URL. */
export function storeFiles(location: string): readonly string[] {
  if (URL_SCHEME.test(location)) return [];
  const path = resolve(location);
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/** Refuses a `postgres://` location that is not a URL at all, naming the field. */
function checkPostgresUrl(location: string): void {
  if (!URL.canParse(location)) {
    throw new RegistryError('invalid_params', 'the store location is not a valid postgres:// URL', {
      details: { field: 'location' },
    });
  }
}

/** Opens the store `options.location` names: a `postgres://` URL or a SQLite file path. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const resolved = resolveStoreOptions(options);
  checkScheme(resolved.location);
  if (isPostgresUrl(resolved.location)) {
    checkPostgresUrl(resolved.location);
    const { openPostgresStore } = await loadPostgres();
    return openPostgresStore(resolved);
  }
  return openSqliteStore(resolved);
}

/** What `migrateStore` did: the schema version before (0: none) and after. */
export interface MigrateResult {
  readonly kind: Store['kind'];
  /** The location, with a URL's password hidden. */
  readonly location: string;
  readonly from: number;
  readonly to: number;
  /** The store had no schema: a new SQLite file, or an empty PostgreSQL database. */
  readonly created: boolean;
}

/** Brings the schema at `location` up to date (as opening it would) and closes it again. */
export async function migrateStore(location: string): Promise<MigrateResult> {
  const resolved = resolveStoreOptions({ location });
  checkScheme(resolved.location);
  if (isPostgresUrl(resolved.location)) {
    checkPostgresUrl(resolved.location);
    const { migratePostgres, redactUrl } = await loadPostgres();
    const { from, to } = await migratePostgres(resolved.location);
    return { kind: 'postgres', location: redactUrl(resolved.location), from, to, created: from === 0 };
  }
  const { path, from, to, created } = await migrateSqlite(resolved.location);
  return { kind: 'sqlite', location: path, from, to, created };
}

/** What `restoreSnapshot` loaded, and where. */
export interface RestoreResult {
  readonly kind: Store['kind'];
  /** The location, with a URL's password hidden. */
  readonly location: string;
  readonly revision: number;
  readonly services: number;
  readonly deployments: number;
  readonly allocations: number;
  readonly tokens: number;
}

/**
 * Loads a snapshot document (`registry snapshot save`) into the empty store at `location`: a
 * PostgreSQL database, or a SQLite file (made when missing). Checks the whole document first, so a
 * bad one changes nothing; a store that holds anything is refused.
 */
export async function restoreSnapshot(location: string, document: unknown): Promise<RestoreResult> {
  const snapshot = readSnapshotDocument(document);
  const store = await openStore({ location });
  try {
    await store.restore(snapshot);
  } finally {
    await store.close();
  }
  const shown = store.kind === 'postgres' ? (await loadPostgres()).redactUrl(location) : (storeFiles(location)[0] ?? location);
  return {
    kind: store.kind,
    location: shown,
    revision: snapshot.revision,
    services: snapshot.services.length,
    deployments: snapshot.deployments.length,
    allocations: snapshot.allocations.allocations.length,
    tokens: snapshot.tokens.length,
  };
}
