import { RegistryError } from '../domain/index.js';
import { resolveStoreOptions } from './options.js';
import { LATEST_SCHEMA_VERSION, openSqliteStore } from './sqlite/index.js';
import type { Store, StoreOptions } from './types.js';

const postgresPrefixes = ['postgres://', 'postgresql://'] as const;

/** The PostgreSQL backend, loaded on first use: a SQLite server never loads the pg driver. */
const loadPostgres = (): Promise<typeof import('./postgres/index.js')> => import('./postgres/index.js');

const isPostgresUrl = (location: string): boolean =>
  postgresPrefixes.some((prefix) => location.toLowerCase().startsWith(prefix));

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
  if (isPostgresUrl(resolved.location)) {
    checkPostgresUrl(resolved.location);
    const { openPostgresStore } = await loadPostgres();
    return openPostgresStore(resolved);
  }
  return openSqliteStore(resolved);
}

/** What `migrateStore` did: the schema version before (when known) and after. */
export interface MigrateResult {
  readonly kind: Store['kind'];
  /** The location, with a URL's password hidden. */
  readonly location: string;
  readonly from: number | undefined;
  readonly to: number;
}

/** Brings the schema at `location` up to date (as opening it would) and closes it again. */
export async function migrateStore(location: string): Promise<MigrateResult> {
  const resolved = resolveStoreOptions({ location });
  if (isPostgresUrl(resolved.location)) {
    checkPostgresUrl(resolved.location);
    const { migratePostgres, redactUrl } = await loadPostgres();
    const { from, to } = await migratePostgres(resolved.location);
    return { kind: 'postgres', location: redactUrl(resolved.location), from, to };
  }
  await (await openSqliteStore(resolved)).close();
  return { kind: 'sqlite', location: resolved.location, from: undefined, to: LATEST_SCHEMA_VERSION };
}
