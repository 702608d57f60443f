/** @module store — the Store interface; SQLite and PostgreSQL are reached only through openStore(). */
export {
  type CommitListener,
  DEFAULT_DEPLOYMENT_RETENTION,
  DEFAULT_EVENT_RETENTION,
  type DeploymentReadView,
  type DeploymentWriter,
  type ServiceReadView,
  type ServiceWriter,
  type Store,
  type StoreOptions,
  type WriteResult,
  type WriteTx,
} from './types.js';
export { migrateStore, type MigrateResult, openStore } from './open.js';
export type { AllocationReadView, AllocationWriter, IpAllocation, IpPoolState } from './allocations.js';
export { type TokenReadView, type TokenRecord, type TokenRole, tokenRoles, type TokenWriter } from './tokens.js';
