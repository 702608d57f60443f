/** @module server — TLS, the WebSocket endpoint, sessions, auth and the config watcher. */
export { DEFAULT_STREAM_LIMITS, type StreamLimits } from './event-streams.js';
export { createLogger, type Logger } from './log.js';
export { DEFAULT_DRAIN_MS, startServer } from './server.js';
export { ensureServerCertificates } from './tls-plan.js';
export {
  certificateFingerprint,
  issueClientCertificate,
  localTlsPaths,
  type TlsMaterial,
} from './tls.js';
export type { RegistryServer, ServerOptions } from './types.js';
export { ensureLocalCa, rotateServerCertificate } from './tls-rotate.js';
