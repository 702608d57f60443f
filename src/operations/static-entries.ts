import {
  applyPatch,
  asServiceId,
  checksUnchanged,
  type Clock,
  declareChecks,
  type FileBackend,
  newService,
  patchChangesNothing,
  type Service,
  type ServiceSource,
} from '../domain/index.js';
import type { Store, WriteTx } from '../store/index.js';


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
  readonly autoRegister: boolean;
}

export interface SyncDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** Static entries (file, auto) may only replace each other; runtime and deployed entries win. */
const yieldsTo = (existing: Service): boolean => existing.source === 'file' || existing.source === 'auto';

/**
 * Brings `source=file` and `source=auto` entries in line with the file, in one write: adds and
 * updates what the file says, removes file entries it no longer lists, never touches manual ones.
 * Returns how many backends the file holds.
 */
export async function syncStaticEntries(deps: SyncDeps, entries: StaticEntries): Promise<{ readonly count: number }> {
  const now = deps.clock.now();
  const wanted = new Map<string, { backend: FileBackend; source: ServiceSource }>();
  if (entries.autoRegister) wanted.set(AUTO_BACKEND.name, { backend: AUTO_BACKEND, source: 'auto' });
  for (const backend of entries.fileBackends) wanted.set(backend.name, { backend, source: 'file' });

  await deps.store.write(async (tx) => {
    for (const { backend, source } of wanted.values()) await upsertStatic(tx, backend, source, now, deps.newId);
    for (const existing of await tx.services.list()) {
      if (yieldsTo(existing) && !wanted.has(existing.name)) {
        await tx.services.delete(existing.name);
        tx.emit({ type: 'ServiceDeregistered', service: existing });
      }
    }
  });
  return { count: entries.fileBackends.length };
}

async function upsertStatic(
  tx: WriteTx,
  backend: FileBackend,
  source: ServiceSource,
  now: number,
  newId: () => string,
): Promise<void> {
  const { name, ttlSeconds, checks = [], ...fields } = backend;
  const patch = { ...fields, ttlSeconds };
  const existing = await tx.services.get(name);
  if (existing === undefined) {
    const created = newService(patch, { id: asServiceId(newId()), name, source, now, revision: tx.revision });
    const service = checks.length === 0 ? created : { ...created, checks: declareChecks(undefined, checks, now) };
    await tx.services.put(service);
    tx.emit({ type: 'ServiceRegistered', service });
    return;
  }
  if (!yieldsTo(existing)) return;
  // A file entry without `ttl` is static: it clears an expiry the old entry had; likewise its checks are the file's.
  const sameTtl = existing.ttlSeconds === ttlSeconds;
  const sameChecks = checksUnchanged(existing.checks, checks);
  if (sameTtl && sameChecks && existing.source === source && patchChangesNothing(existing, fields)) return;
  const { ttlSeconds: _dropped, checks: _checks, ...base } = applyPatch(existing, fields, now, tx.revision);
  const declared = checks.length === 0 ? {} : { checks: declareChecks(existing.checks, checks, now) };
  const service: Service = { ...base, source, ...(ttlSeconds === undefined ? {} : { ttlSeconds }), ...declared };
  await tx.services.put(service);
  tx.emit({ type: 'ServiceUpdated', service });
}
