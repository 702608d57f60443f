import { asServiceId, type Clock, type FileBackend, type Service, type ServiceSource } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { registerByName } from './registration.js';

/** The local Plexus instance, registered at start unless turned off (Plexus seed). */
export const AUTO_BACKEND: FileBackend = Object.freeze({
  name: 'plexus',
  host: '127.0.0.1',
  port: 4444,
  protocol: 'ws',
  description: 'Local Plexus instance',
});

export interface StaticEntries {
  readonly fileBackends: readonly FileBackend[];
  /** `REGISTRY_BACKENDS`: beside the file's, and over one of the same name (the environment overrides the file). */
  readonly envBackends: readonly FileBackend[];
  readonly autoRegister: boolean;
}

export interface SyncDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** Static entries (env, file, auto) may only replace each other; runtime and deployed entries win. */
const STATIC_SOURCES: ReadonlySet<ServiceSource> = new Set(['env', 'file', 'auto']);
const yieldsTo = (existing: Service): boolean => STATIC_SOURCES.has(existing.source);

/**
 * Brings `source=env`, `file` and `auto` entries in line with the environment and the file, in
 * one write: adds and updates what they say, removes static entries neither lists any more, never
 * touches manual or deployed ones. For one name, env › file › auto. Returns how many backends the
 * file holds.
 */
export async function syncStaticEntries(deps: SyncDeps, entries: StaticEntries): Promise<{ readonly count: number }> {
  const now = deps.clock.now();
  const wanted = new Map<string, { backend: FileBackend; source: ServiceSource }>();
  if (entries.autoRegister) wanted.set(AUTO_BACKEND.name, { backend: AUTO_BACKEND, source: 'auto' });
  for (const backend of entries.fileBackends) wanted.set(backend.name, { backend, source: 'file' });
  for (const backend of entries.envBackends) wanted.set(backend.name, { backend, source: 'env' });

  await deps.store.write(async (tx) => {
    for (const { backend, source } of wanted.values()) {
      const existing = await tx.services.get(backend.name);
      if (existing !== undefined && !yieldsTo(existing)) continue;
      const { name, checks = [], ...fields } = backend;
      // The entry is what the file says: a field it leaves out (a TTL, a description, checks) is not kept.
      const registration = { name, source, fields, ...(checks.length === 0 ? {} : { checks }), mode: 'replace' as const, signOfLife: false };
      await registerByName(tx, registration, { now, newId: () => asServiceId(deps.newId()) });
    }
    for (const existing of await tx.services.list()) {
      if (yieldsTo(existing) && !wanted.has(existing.name)) {
        await tx.services.delete(existing.name);
        tx.emit({ type: 'ServiceDeregistered', service: existing });
      }
    }
  });
  return { count: entries.fileBackends.length };
}
