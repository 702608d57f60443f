/** @module operations — the operation table: schemas, roles, handlers. */
export {
  type AnyOperation,
  type ConfigReloader,
  type CredentialHost,
  defineOperation,
  type InputOf,
  type KindOf,
  type Operation,
  type OperationContext,
  type OperationKind,
  type OperationRole,
  type OutputOf,
  type Principal,
  type RequiredRole,
} from './define.js';
export { type BadField, dispatch, invalidParams } from './dispatch.js';
export { removeService } from './deregister.js';
export { endOrphanedDeployments } from './end-orphaned-deployments.js';
export { expireTokens } from './expire-tokens.js';
export { expireTtls } from './expire-ttls.js';
export type { ConnectionInfo, RuntimeServices, StreamHost, SubscriptionOpened, SubscriptionRequest } from './runtime.js';
export type { RegisterOutput } from './register.js';
export type { ServicePage } from './list-services.js';
export { AUTO_BACKEND, type StaticEntries, syncStaticEntries } from './static-entries.js';
export type { Deployer } from './runtime.js';
export type { TopologyService } from './runtime.js';
export {
  buildOperationIndex,
  type HandlerOutputs,
  isOperationName,
  operationAliases,
  type OperationByName,
  type OperationName,
  operations,
  type OperationTable,
  typedOperations,
  type WireOutputs,
} from './table.js';
export { findToken, liveToken } from './token-secret.js';
export type { CheckOutput } from './add-check.js';
export type { CheckRow } from './list-checks.js';
export type { HealthReport } from './get-health.js';
export type { HealthService, MemberService } from './runtime.js';
