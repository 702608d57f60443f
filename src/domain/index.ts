/** @module domain — pure types and rules: no I/O, no node: imports. */
export { type Brand, type Revision, type ServiceId, asRevision, asServiceId } from './brand.js';
export { type Clock, systemClock, ManualClock } from './clock.js';
export {
  type DeploymentFailure,
  type DeploymentRecord,
  type DeploymentStatus,
  type DeploymentStep,
  type DeploymentStepRecord,
  deploymentStatuses,
  deploymentSteps,
  type NodeDefinition,
  PACKAGE_VERSION_PATTERN,
} from './deployment.js';
export {
  echoed,
  errorCodes,
  type ErrorCode,
  isErrorCode,
  RegistryError,
  MAX_ECHO_CHARS,
  type RegistryErrorOptions,
} from './errors.js';
export {
  type CommittedEvent,
  type EventType,
  type RegistryEvent,
  type TopologyAddress,
  eventTypes,
  eventServiceName,
} from './events.js';
export {
  DEFAULT_TTL_SECONDS,
  type Endpoint,
  type FileBackend,
  type HealthStatus,
  isActive,
  type NetworkKind,
  networkKinds,
  SERVICE_NAME_PATTERN,
  type Service,
  type ServiceLocation,
  type ServiceSource,
  serviceSources,
} from './service.js';
export {
  applyPatch,
  type NewServiceContext,
  newService,
  patchChangesNothing,
  type ServiceFields,
  type ServicePatch,
} from './service-change.js';
export { HOST_RULE, hostSchema, isHost, MAX_HOST_LENGTH } from './host.js';
export { assertTransition, canTransition, type ServiceState, serviceStates } from './state.js';
