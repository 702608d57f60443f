import { asRevision, RegistryError, type Revision, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, snapshotWire, type SnapshotWire } from '../domain/index.js';
import type { AllocationSnapshot } from './allocations.js';
import { decodeDeployment, decodeService } from './codec.js';
import { type CommitChanges, emptyChanges, type StoreContents, type ViewSet } from './committed.js';
import type { TokenRecord } from './tokens.js';

/**
 * Snapshots of the whole state (`snapshot`, `registry snapshot save|restore`): what a store holds
 * in memory at one revision, the document a file keeps, and the changes a restore commits.
 */

/** Everything a store holds at one revision: what a restore reproduces. */
export interface StoreSnapshot extends StoreContents {
  readonly revision: Revision;
}

/** The committed state in memory, at `revision`: read in one go, so it is consistent. */
export function snapshotOf(views: ViewSet, revision: Revision): StoreSnapshot {
  const networks = [...views.allocations.networkNames()];
  const allocations: AllocationSnapshot = {
    allocations: views.allocations.list(),
    pools: networks.flatMap((network) => {
      const pool = views.allocations.pool(network);
      return pool === undefined ? [] : [pool];
    }),
    free: networks.flatMap((network) => [...views.allocations.freeList(network)].map((address) => ({ network, address }))),
  };
  return { revision, services: views.services.list(), deployments: views.deployments.list(), allocations, tokens: views.tokens.list() };
}

/** True when the views hold nothing at all (a store a snapshot may be restored into). */
export function viewsAreEmpty(views: ViewSet): boolean {
  return views.services.size === 0 && views.deployments.list().length === 0 && views.allocations.list().length === 0 && [...views.allocations.networkNames()].length === 0 && views.tokens.list().length === 0;
}

/** Refuses a restore into a store that holds anything. */
export function notEmpty(revision: number, services: number): RegistryError {
  return new RegistryError('invalid_params', `the store is not empty (revision ${String(revision)}, ${String(services)} services): a snapshot is restored into an empty store only`, {
    details: { field: 'store', revision, services },
  });
}

/** Everything a snapshot holds, as the changes of one commit (each backend writes them with its own SQL). */
export function changesOfSnapshot(snapshot: StoreSnapshot): CommitChanges {
  const changes = emptyChanges();
  for (const service of snapshot.services) changes.services.set(service.name, service);
  for (const record of snapshot.deployments) changes.deployments.set(record.id, record);
  for (const allocation of snapshot.allocations.allocations) {
    const layer = changes.allocations.network(allocation.network);
    layer.byAddress.set(allocation.address, allocation);
    layer.byOwner.set(allocation.owner, allocation);
  }
  for (const pool of snapshot.allocations.pools) changes.allocations.pools.set(pool.network, pool);
  for (const { network, address } of snapshot.allocations.free) changes.allocations.freeOf(network).set(address, true);
  for (const token of snapshot.tokens) changes.tokens.set(token.name, token);
  return changes;
}

/** The document a snapshot file holds (domain/wire-cluster.ts, `snapshotWire`). */
export function snapshotDocument(snapshot: StoreSnapshot, takenAt: number): SnapshotWire {
  const { allocations, pools, free } = snapshot.allocations;
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    revision: snapshot.revision,
    taken_at: Math.floor(takenAt / 1000),
    services: snapshot.services.map((service) => ({ ...service })),
    deployments: snapshot.deployments.map((record) => ({ ...record })),
    allocations: allocations.map(({ network, address, owner, allocatedAt }) => ({ network, address, owner, allocatedAt })),
    pools: pools.map(({ network, cidr, cursor }) => ({ network, cidr, cursor })),
    free: free.map(({ network, address }) => ({ network, address })),
    tokens: snapshot.tokens.map(tokenOfSnapshot),
  };
}

/** A token record with exactly its fields: `expiresAt` only when it expires (absent: never). */
const tokenOfSnapshot = ({ name, role, hash, createdAt, expiresAt }: TokenRecord | SnapshotWire['tokens'][number]): TokenRecord =>
  expiresAt === undefined ? { name, role, hash, createdAt } : { name, role, hash, createdAt, expiresAt };

const invalid = (path: string, message: string): RegistryError =>
  new RegistryError('invalid_params', `invalid snapshot: ${path}: ${message}`, { details: { fields: [{ path, message }] } });

/** Reads a snapshot file's document: every field checked, each problem named by its path. */
export function readSnapshotDocument(value: unknown): StoreSnapshot {
  if (typeof value !== 'object' || value === null || Reflect.get(value, 'format') !== SNAPSHOT_FORMAT) {
    throw invalid('format', `must be "${SNAPSHOT_FORMAT}": this is not a registry snapshot`);
  }
  const version: unknown = Reflect.get(value, 'version');
  if (version !== SNAPSHOT_VERSION) throw invalid('version', `this build reads version ${String(SNAPSHOT_VERSION)}, not ${JSON.stringify(version)}`);
  const parsed = snapshotWire.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue === undefined || issue.path.length === 0 ? '(document)' : issue.path.map(String).join('.'), issue?.message ?? 'does not parse');
  }
  const doc = parsed.data;
  const decode = <T>(list: readonly unknown[], what: string, decoder: (value: unknown) => T): T[] =>
    list.map((item, index) => {
      try {
        return decoder(item);
      } catch (error) {
        throw invalid(`${what}.${String(index)}`, error instanceof Error ? error.message : String(error));
      }
    });
  return {
    revision: asRevision(doc.revision),
    services: decode(doc.services, 'services', decodeService),
    deployments: decode(doc.deployments, 'deployments', decodeDeployment),
    allocations: { allocations: doc.allocations, pools: doc.pools, free: doc.free },
    tokens: doc.tokens.map(tokenOfSnapshot),
  };
}
