/**
 * The server door, loaded on first use: client commands need only the local CA path from it,
 * and loading the whole server (store, native SQLite) would add ~0.3 s to every command.
 */
export const loadServerModule = (): Promise<typeof import('../server/index.js')> => import('../server/index.js');

/** `<data dir>/tls/ca.pem`, as the server lays it out. */
export async function localCaPath(dataDir: string): Promise<string> {
  const { localTlsPaths } = await loadServerModule();
  return localTlsPaths(dataDir).caPath;
}
