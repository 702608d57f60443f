/**
 * The server and store doors, loaded on first use: client commands need only the local CA path
 * and the data folder's lock from them, and commands that need neither (`package build`, `--url`
 * with `--ca`) should not pay the ~0.3 s that loading the server (store, native SQLite) takes.
 */
export const loadServerModule = (): Promise<typeof import('../server/index.js')> => import('../server/index.js');

/** `<data dir>/tls/ca.pem`, as the server lays it out. */
export async function localCaPath(dataDir: string): Promise<string> {
  const { localTlsPaths } = await loadServerModule();
  return localTlsPaths(dataDir).caPath;
}

/** The store door, loaded on first use: only the database drivers need it. */
export const loadStoreModule = (): Promise<typeof import('../store/index.js')> => import('../store/index.js');

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
  const { readDataFolderHolder } = await loadStoreModule();
  const holder = readDataFolderHolder(dataDir);
  return holder !== undefined && isAlive(holder.pid) ? holder.address : undefined;
}
