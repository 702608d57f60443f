/** @module store — the Store interface; SQLite and PostgreSQL are reached only through openStore(). */
export {
  type BatchListener,
  type CommitListener,
  type BatchTiming,
  DEFAULT_DEPLOYMENT_RETENTION,
  DEFAULT_EVENT_RETENTION,
  DEFAULT_MEMBER_RETENTION_MS,
  DEFAULT_REQUEST_WINDOW_MS,
  type DeploymentReadView,
  type DeploymentWriter,
  type MemberIdentity,
  type MemberRecord,
  type Membership,
  type ServiceReadView,
  type ServiceWriter,
  type ShardClaims,
  type Store,
  type StoreOptions,
  type WriteOptions,
  type WriteRequest,
  type WriteResult,
  type WriteTx,
} from './types.js';
export { migrateStore, type MigrateResult, openStore, restoreSnapshot, type RestoreResult, storeFiles } from './open.js';
export { snapshotDocument, type StoreSnapshot } from './snapshot.js';
export { type DataFolderHolder, type DataFolderLock, LOCK_FILE_NAME, lockDataFolder, readDataFolderHolder } from './sqlite/index.js';
export type { AllocationReadView, AllocationWriter, IpAllocation, IpPoolState } from './allocations.js';
export type { TokenReadView, TokenRecord, TokenWriter } from './tokens.js';
export { OrderedServices, type OrderedPage } from './ordered.js';
