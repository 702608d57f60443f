import { RegistryError } from '../domain/index.js';

/**
 * A numbered, forward-only schema step. Both backends number theirs alike: a new table (IP
 * allocations, tokens, deployments) comes as a new number, never an edit.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The highest version of `migrations`: the schema this build writes. */
export const latestVersion = (migrations: readonly Migration[]): number => migrations.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * The migrations a schema at version `found` still needs, oldest first. A schema newer than this
 * build knows is refused with `unavailable`: running on it could lose what the newer build wrote.
 */
export function migrationsAfter(migrations: readonly Migration[], found: number): Migration[] {
  const latest = latestVersion(migrations);
  if (found > latest) {
    throw new RegistryError('unavailable', `the database schema is version ${found}, newer than this build knows (${latest})`, {
      details: { schemaVersion: found, supported: latest },
    });
  }
  return migrations.filter((m) => m.version > found).sort((a, b) => a.version - b.version);
}
