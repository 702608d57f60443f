/** @module ipam — networks (exclusions, capacity) and IP allocation inside store writes; address arithmetic is src/domain's. */
export {
  type AllocateRequest,
  type AllocateResult,
  allocateAddress,
  releaseAllocation,
  releaseOwner,
} from './allocate.js';
export { allocateServiceAddresses, kindClash, type NetworkCatalog, networkCatalog } from './catalog.js';
export {
  type AllocationCost,
  type AllocationCostOptions,
  DEFAULT_MEASURE_LIVE,
  DEFAULT_MEASURE_SAMPLES,
  measureAllocationCost,
  type Timing,
} from './measure.js';
export {
  addressText,
  type CompiledNetworks,
  type CompileResult,
  compileNetwork,
  compileNetworks,
  type ExclusionKind,
  exclusionAt,
  type IpNetworkKind,
  ipNetworkKinds,
  type Network,
  type NetworkDefinition,
  type NetworkIssue,
  type NetworkSetIssue,
  nextUsableOffset,
  type OffsetRange,
  type Unusable,
  unusableReason,
} from './network.js';
