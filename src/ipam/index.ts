/** @module ipam — CIDR arithmetic (IPv4 and IPv6) and IP allocation inside store writes. */
export {
  canonicalIp,
  compareAddresses,
  familyBits,
  formatIp,
  type IpAddress,
  type IpFamily,
  isIpAddress,
  parseIp,
} from './address.js';
export {
  type AllocateRequest,
  type AllocateResult,
  allocateAddress,
  releaseAllocation,
  releaseOwner,
} from './allocate.js';
export { allocateServiceAddresses, kindClash, type NetworkCatalog, networkCatalog } from './catalog.js';
export { addressAt, type Cidr, type CidrResult, contains, overlaps, parseCidr } from './cidr.js';
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
  checkNetworks,
  type CompileResult,
  compileNetwork,
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
