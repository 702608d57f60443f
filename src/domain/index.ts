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
  changeState,
  type NewServiceContext,
  newService,
  patchChangesNothing,
  type ServiceFields,
  type ServicePatch,
} from './service-change.js';
export {
  type CheckDefinition,
  type CheckKind,
  checkKinds,
  CHECK_NAME_PATTERN,
  type CheckPolicy,
  type CheckResult,
  type CheckState,
  type CheckStatus,
  checkStatuses,
  type CheckTarget,
  type CheckVerdict,
  DEFAULT_CHECK_INTERVAL_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_FAILURES_BEFORE_CRITICAL,
  DEFAULT_INITIAL_STATUS,
  DEFAULT_SUCCESS_BEFORE_PASSING,
  DEFAULT_TLS_WARN_DAYS,
  MAX_CHECK_OUTPUT,
  MIN_CHECK_INTERVAL_MS,
  MIN_CHECK_TIMEOUT_MS,
  type ServiceCheck,
  TTL_CHECK_NAME,
} from './check.js';
export { DURATION_HINT, durationMs } from './duration.js';
export {
  applyTransition,
  boundOutput,
  type CheckCounters,
  checkShard,
  checksStatus,
  checksUnchanged,
  type CheckTransition,
  declareChecks,
  definitionOf,
  deregistrationDue,
  expireTtl,
  firstOutput,
  isActive,
  isTtlAlive,
  newCheck,
  NO_COUNTS,
  observe,
  serviceHealth,
  signOfLife,
  ttlExpiryDue,
  ttlRevives,
  worstStatus,
} from './health.js';
export { type CheckStanding, isDeclaredCheck, standingChecks, type TtlStanding, ttlStanding } from './health-report.js';
export { HOST_RULE, hostSchema, isHost, MAX_HOST_LENGTH } from './host.js';
export {
  addressAt,
  canonicalIp,
  type Cidr,
  cidrAround,
  cidrContains,
  type CidrResult,
  cidrsOverlap,
  compareAddresses,
  familyBits,
  formatIp,
  IPV4_MAPPED_BLOCK,
  type IpAddress,
  type IpFamily,
  isIpAddress,
  isLinkLocal,
  isWildcardAddress,
  normaliseAddress,
  parseBlock,
  parseCidr,
  parseIp,
  withoutZone,
  zoneOf,
} from './ip.js';
export { isLoopback } from './loopback.js';
export { type Registration, type RegistrationContext, type RegistrationMode, type ServiceChange, upsertService } from './registration.js';
export { type GrantedRole, grantedRoles, isGrantedRole, type Role, roleAllows, roles } from './roles.js';
export { assertTransition, canTransition, type ServiceState, serviceStates } from './state.js';
export { stringMap, unixSeconds } from './wire-common.js';
export { backendWire, type BackendWire, registeredWire, serviceListingWire, serviceListWire, servicePageWire, type ServicePageWire, serviceWire, type ServiceWire } from './wire-service.js';
export {
  addedCheckWire,
  type AddedCheckWire,
  checkRowListWire,
  checkRowWire,
  type CheckRowWire,
  checkWire,
  type CheckWire,
  declaredCheckWire,
  type DeclaredCheckWire,
  healthReportWire,
  type HealthReportWire,
  removedCheckWire,
} from './wire-check.js';
export {
  envWire,
  hostTopologyWire,
  type HostTopologyWire,
  resolvedEndpointListWire,
  resolvedEndpointWire,
  type ResolvedEndpointWire,
  topologyAddressWire,
} from './wire-topology.js';
export {
  deploymentListWire,
  deploymentStepWire,
  deploymentWire,
  type DeploymentWire,
  nodeListWire,
  nodeWire,
  type NodeWire,
} from './wire-deploy.js';
export {
  allocatedWire,
  allocationListWire,
  allocationWire,
  type AllocationWire,
  authenticatedWire,
  deregisteredWire,
  networkListWire,
  networkWire,
  type NetworkWire,
  pingWire,
  reloadedWire,
  statusWire,
  type StatusWire,
  subscribedWire,
  tokenCreatedWire,
  tokenListWire,
  tokenRevokedWire,
  tokenWire,
  type TokenWire,
  unsubscribedWire,
} from './wire-answers.js';
export { type EventDataWire, eventWire, type EventWire } from './wire-events.js';
export { memberListWire, memberWire, type MemberWire, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, snapshotWire, type SnapshotWire } from './wire-cluster.js';
export { extended } from './extended.js';
