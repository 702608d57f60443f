/** @module topology — interface detection, caller placement and resolution (README "Topology and resolution"). Sees only domain and the Store interface. */
export { ARPHRD_LOOPBACK, ARPHRD_NONE, type Classification, classifyAddress, classifyIp } from './classify.js';
export { DEFAULT_SYS_NET_DIR, DEFAULT_WIREGUARD_RUN_DIR, type DetectOptions, detectAddresses } from './detect.js';
export { configuredNetworks } from './networks.js';
export { type CallerFacts, placeCaller } from './placement.js';
export {
  chooseAddress,
  envLine,
  envName,
  hostPort,
  PRIMARY_ENDPOINT,
  type ResolvedEndpoint,
  resolveEndpoint,
  resolveEndpoints,
  serviceOnRegistryHost,
} from './resolve.js';
export { DEFAULT_TOPOLOGY_INTERVAL_MS, TopologyScanner, type TopologyScannerOptions } from './scanner.js';
export type {
  AddressCandidate,
  CallerNetwork,
  CallerPlace,
  ConfiguredNetwork,
  HostTopology,
  LinkFacts,
  NetworkBlock,
  SharedNetworkKind,
} from './types.js';
