/** @module operations — the operation table: schemas, roles, handlers. */
export {
  type AnyOperation,
  type ConfigReloader,
  type CredentialHost,
  defineOperation,
  type InputOf,
  type Operation,
  type OperationContext,
  type OperationRole,
  type OutputOf,
  type WireOf,
  type Principal,
  type RequiredRole,
} from './define.js';
export { type BadField, type Dispatchable, dispatch, invalidParams } from './dispatch.js';
export { removeService } from './deregister.js';
export { expireTtls } from './expire-ttls.js';
export type { PingOutput } from './ping.js';
export type { ConnectionInfo, RuntimeServices, StreamHost, SubscriptionOpened, SubscriptionRequest } from './runtime.js';
export type { RegisterOutput } from './register.js';
export { AUTO_BACKEND, type StaticEntries, syncStaticEntries } from './static-entries.js';
export type { StatusOutput } from './status.js';
export type { Deployer } from './runtime.js';
export type { EnvOutput } from './env.js';
export type { AllocateIpOutput, AllocationOutput } from './allocate-ip.js';
export type { NetworkOutput } from './list-networks.js';
export type { TopologyService } from './runtime.js';
export {
  buildOperationIndex,
  type HandlerInputs,
  type HandlerOutputs,
  isOperationName,
  operationAliases,
  type OperationByName,
  type OperationName,
  operations,
  type OperationTable,
  operationTable,
  type TypedOperation,
  typedOperations,
  type WireOutputs,
} from './table.js';
export type { AuthenticateOutput } from './authenticate.js';
export type { TokenCreated } from './token-create.js';
export { findToken, type TokenOutput } from './token-secret.js';
export type { CheckOutput } from './add-check.js';
export type { CheckRow } from './list-checks.js';
export type { HealthReport } from './get-health.js';
export type { HealthService } from './runtime.js';
