/**
 * The server's heavy entry points behind its door, loaded on their first call: opening the door
 * (`service-registry/server`) then costs little, so a CLI command that only reads the data folder
 * (the local CA's path, the running server's address) starts quickly.
 */
import type { VerifiedPackage } from '../deploy/index.js';
import type { RegistryServer, ServerOptions } from './types.js';

/** Starts a registry server: lock, port, store, certificates, static entries, the config watcher. */
export async function startServer(options: ServerOptions): Promise<RegistryServer> {
  const server = await import('./server.js');
  return server.startServer(options);
}

/** Builds `<name>-<version>.tar.gz` of a package folder into `outDir` (see src/deploy). */
export async function buildPackage(dir: string, outDir: string): Promise<VerifiedPackage> {
  const tools = await import('./package-tools.js');
  return tools.buildPackage(dir, outDir);
}

/** Reads and checks a package tarball: its manifest, its checksums, its size (see src/deploy). */
export async function verifyPackage(tarball: string, maxBytes?: number): Promise<VerifiedPackage> {
  const tools = await import('./package-tools.js');
  return tools.verifyPackage(tarball, maxBytes);
}
