/** @module deploy — package format, SSH transport, deployment steps (README "Deployment"). */
export { type FileChecksum, formatChecksums, parseChecksums } from './checksums.js';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_UPLOAD_TIMEOUT_MS,
  type DeployerOptions,
  type DeployRequest,
  type RollbackRequest,
  SshDeployer,
} from './deployer.js';
export { fingerprint } from './host-key.js';
export {
  CHECKSUM_FILE,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  type Manifest,
  MANIFEST_FILE,
  packageFileName,
  parseManifest,
} from './manifest.js';
export { buildPackage } from './package-build.js';
export { DEFAULT_MAX_PACKAGE_BYTES, type VerifiedPackage, verifyPackage } from './package-read.js';
export { shellQuote } from './shell.js';
