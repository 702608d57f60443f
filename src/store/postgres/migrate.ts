import pg from 'pg';
import { type MigrationOutcome, runPostgresMigrations } from './migrations.js';
import { redactUrl, unavailable } from './sql.js';

/** Brings a PostgreSQL database's schema up to date without opening a store (`registry migrate`). */
export async function migratePostgres(location: string): Promise<MigrationOutcome> {
  const client = new pg.Client({ connectionString: location, connectionTimeoutMillis: 10_000, application_name: 'registry-migrate' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await runPostgresMigrations(client);
  } catch (cause) {
    throw unavailable(`cannot migrate the PostgreSQL store ${redactUrl(location)}`, cause);
  } finally {
    await client.end().catch(() => undefined);
  }
}
