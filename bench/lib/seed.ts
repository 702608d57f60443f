/**
 * Builds registry data folders in-process, through the store (big batches, each one commit),
 * so a scenario can start a server on a registry that already holds N services.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { asServiceId, newService } from '../../src/domain/index.js';
import { ensureServerCertificates, type TlsMaterial } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { seededHost, seededName } from './names.js';
import { timed } from './phases.js';

const BATCH = 2_000;

export interface DataDir {
  readonly dir: string;
  /** The certificate the server will present: the echo ceiling and etcd present the same one. */
  readonly tls: TlsMaterial;
}

/** A new data folder (mode 755) under `root`, with an empty config file and the server's certificates. */
export async function makeDataDir(root: string, label: string): Promise<DataDir> {
  const dir = await mkdtemp(join(root, `${label}-`));
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'backends.toml'), '');
  // Made before the server starts, so a cold start measures loading the store, not making a CA.
  const tls = await ensureServerCertificates({ dataDir: dir, addresses: ['127.0.0.1'] });
  return { dir, tls };
}

/** Where the server started on `dataDir` by bench/children/server.ts keeps its SQLite file. */
async function storeLocation(dataDir: string): Promise<{ readonly location: string; readonly eventRetention: number }> {
  const config = await loadConfig({
    flags: { host: '127.0.0.1', port: 0, dataDir, configPath: join(dataDir, 'backends.toml'), autoRegister: false },
    env: {},
    cwd: dataDir,
  });
  return { location: config.storage.url, eventRetention: config.storage.eventRetention };
}

/** Registers services `bench-0` … `bench-(count-1)` as `register` would, `BATCH` to a commit. */
export async function seedServices(dataDir: string, count: number): Promise<void> {
  await seedStore(await storeLocation(dataDir), count);
}

/** The same, into the store at `location` (a SQLite path or a `postgres://` URL). */
export function seedStore(location: { readonly location: string; readonly eventRetention?: number }, count: number): Promise<void> {
  return timed('seed', () => fillStore(location, count));
}

async function fillStore(location: { readonly location: string; readonly eventRetention?: number }, count: number): Promise<void> {
  const store = await openStore(location);
  try {
    for (let first = 0; first < count; first += BATCH) {
      const last = Math.min(count, first + BATCH);
      await store.write(async (tx) => {
        const now = Date.now();
        for (let k = first; k < last; k++) {
          const service = newService(
            { host: seededHost(k), port: 4444, protocol: 'wss', ttlSeconds: 86_400, description: `bench service ${k}` },
            { id: asServiceId(randomUUID()), name: seededName(k), source: 'manual', now, revision: tx.revision },
          );
          await tx.services.put(service);
          tx.emit({ type: 'ServiceRegistered', service });
        }
      });
    }
  } finally {
    await store.close();
  }
}
