/** @module operations — the operation table: schemas, roles, handlers. */
export {
  type AnyOperation,
  type ConfigReloader,
  defineOperation,
  type InputOf,
  type Operation,
  type OperationContext,
  type OutputOf,
  type Principal,
  type RequiredRole,
  type Role,
  roleAllows,
  roles,
} from './define.js';
export { type BadField, dispatch, invalidParams } from './dispatch.js';
export type { PingOutput } from './ping.js';
export type { ConnectionInfo, RuntimeServices, StreamHost, SubscriptionOpened, SubscriptionRequest } from './runtime.js';
export type { RegisterOutput } from './register.js';
export { AUTO_BACKEND, type StaticEntries, syncStaticEntries } from './static-entries.js';
export type { StatusOutput } from './status.js';
export {
  buildOperationIndex,
  findOperation,
  operationAliases,
  type OperationByName,
  type OperationName,
  type OperationTable,
  operations,
} from './table.js';
