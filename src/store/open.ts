import { RegistryError } from '../domain/index.js';
import { resolveStoreOptions } from './options.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store, StoreOptions } from './types.js';

const postgresPrefixes = ['postgres://', 'postgresql://'] as const;

/** Opens the store `options.location` names: a `postgres://` URL or a SQLite file path. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const resolved = resolveStoreOptions(options);
  if (postgresPrefixes.some((prefix) => resolved.location.toLowerCase().startsWith(prefix))) {
    throw new RegistryError('invalid_params', 'PostgreSQL storage is not built yet', {
      details: { field: 'location' },
    });
  }
  return openSqliteStore(resolved);
}
