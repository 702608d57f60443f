/** @module store — the Store interface; SQLite and PostgreSQL are reached only through openStore(). */
export {
  type CommitListener,
  DEFAULT_EVENT_RETENTION,
  type ServiceReadView,
  type ServiceWriter,
  type Store,
  type StoreOptions,
  type WriteResult,
  type WriteTx,
} from './types.js';
export { openStore } from './open.js';
