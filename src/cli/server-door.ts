/**
 * The CLI's way to the server's one door (src/server/index.ts, the `service-registry/server`
 * export), loaded on first use: client commands need only the local CA path and the data
 * folder's lock from it, and commands that need neither (`--url` with `--ca`) should not pay the
 * time that loading the server (store, native SQLite, certificates) takes. Everything else of
 * the CLI reaches the server through src/client.
 */
export const loadServerModule = (): Promise<typeof import('../server/index.js')> => import('../server/index.js');

/** `<data dir>/tls/ca.pem`, as the server lays it out. */
export async function localCaPath(dataDir: string): Promise<string> {
  const { localTlsPaths } = await loadServerModule();
  return localTlsPaths(dataDir).caPath;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
};

/** The URL the server holding `dataDir` serves, from its lock file; undefined when none is running there. */
export async function runningServerUrl(dataDir: string): Promise<string | undefined> {
  const { readDataFolderHolder } = await loadServerModule();
  const holder = readDataFolderHolder(dataDir);
  return holder !== undefined && isAlive(holder.pid) ? holder.address : undefined;
}
