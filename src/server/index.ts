/**
 * @module server — the server's one door, exported as `service-registry/server`: starting a
 * server from its configuration, its certificates, and the tools that work next to one on the
 * same host (the data folder's lock, store migration, service packages). The library entry
 * (`service-registry`) is the client only.
 */
export { ConfigError, defaultConfigPath, loadConfig, type RegistryConfig } from '../config/index.js';
export type { VerifiedPackage } from '../deploy/index.js';
export { buildPackage, startServer, verifyPackage } from './entry-points.js';
export { migrateStore, type MigrateResult, readDataFolderHolder, restoreSnapshot, type RestoreResult } from '../store/index.js';
export { DASHBOARD_CSP, DEFAULT_DASHBOARD_DIR } from './dashboard-policy.js';
export { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream-limits.js';
export { createLogger, type Logger } from './log.js';
export { type CertificateNames, certificateNames } from './certificate-names.js';
export { ensureServerCertificates } from './tls-plan.js';
export {
  certificateFingerprint,
  issueClientCertificate,
  localTlsPaths,
  type TlsMaterial,
} from './tls.js';
export { DEFAULT_DRAIN_MS, type RegistryServer, type ServerOptions } from './types.js';
export { ensureLocalCa, rotateServerCertificate } from './tls-rotate.js';
