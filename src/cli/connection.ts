/**
 * From the global flags to a connected client: the URL and CA default to what the server
 * would use, resolved by the config module from the same --config/--data-dir and environment.
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ClientOptions, RegistryClient } from '../client/index.js';
import { ConfigError, loadConfig, type RegistryConfig } from '../config/index.js';
import { type OptionBag, booleanFlag, stringFlag } from './flags.js';
import { type CliIo, println } from './io.js';
import { type OutputFormat, outputFormat } from './output.js';
import { localCaPath, runningServerUrl } from './server-door.js';

/** The options every client command understands (set on the program, usable anywhere). */
export interface GlobalFlags {
  readonly url?: string;
  readonly ca?: string;
  readonly fingerprint?: string;
  readonly token?: string;
  /** `--cert`/`--key`: files of a client certificate and its key (mTLS). */
  readonly cert?: string;
  readonly key?: string;
  /** `-o/--output`, or `--json` (its alias): how answers and errors are printed. */
  readonly output: OutputFormat;
  readonly config?: string;
  readonly dataDir?: string;
  /** `--stale`: reads answer from what the server holds, without waiting for other servers' writes. */
  readonly stale: boolean;
}

export function globalFlags(command: Command): GlobalFlags {
  const bag: OptionBag = command.optsWithGlobals();
  const url = stringFlag(bag, 'url');
  const ca = stringFlag(bag, 'ca');
  const fingerprint = stringFlag(bag, 'fingerprint');
  const token = stringFlag(bag, 'token');
  const cert = stringFlag(bag, 'cert');
  const key = stringFlag(bag, 'key');
  const config = stringFlag(bag, 'config');
  const dataDir = stringFlag(bag, 'dataDir');
  return {
    ...(url === undefined ? {} : { url }),
    ...(ca === undefined ? {} : { ca }),
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(token === undefined ? {} : { token }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(config === undefined ? {} : { config }),
    ...(dataDir === undefined ? {} : { dataDir }),
    output: outputFormat(stringFlag(bag, 'output'), booleanFlag(bag, 'json') ?? false),
    stale: booleanFlag(bag, 'stale') ?? false,
  };
}

/** The configuration the server would load with these flags and this environment. */
export function loadSharedConfig(flags: GlobalFlags, io: CliIo, options: { readonly ignoreFile?: boolean } = {}): Promise<RegistryConfig> {
  return loadConfig({
    flags: {
      ...(flags.config === undefined ? {} : { configPath: flags.config }),
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    },
    env: io.env,
    cwd: io.cwd,
    ...options,
  });
}

/** For commands that open a store themselves (`migrate`, `snapshot restore`): the configuration with `--store`. */
export function loadStoreConfig(flags: GlobalFlags, store: string | undefined, io: CliIo): Promise<RegistryConfig> {
  return loadConfig({
    flags: {
      ...(flags.config === undefined ? {} : { configPath: flags.config }),
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      storeUrl: store,
    },
    env: io.env,
    cwd: io.cwd,
  });
}

/**
 * For commands that only need to find the server or read the data folder: a broken
 * configuration file is a warning on stderr, and the environment and defaults stand in for it.
 */
export async function loadClientConfig(flags: GlobalFlags, io: CliIo): Promise<RegistryConfig> {
  try {
    return await loadSharedConfig(flags, io);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    println(io.stderr, `warning: the configuration file is not used (${error.brief}); finding the server from the environment, the data folder and the defaults`);
    return loadSharedConfig(flags, io, { ignoreFile: true });
  }
}

/** A bound address as a client on this host reaches it: a wildcard bind over loopback. */
export function reachableUrl(scheme: 'ws' | 'wss', bound: string, port: number | string): string {
  const plain = bound.startsWith('[') && bound.endsWith(']') ? bound.slice(1, -1) : bound;
  const host = plain === '0.0.0.0' ? '127.0.0.1' : plain === '::' ? '::1' : plain;
  const literal = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${literal}:${port}`;
}

/** Where a client on this host reaches the server the configuration describes. */
export function serverUrl(config: RegistryConfig): string {
  return reachableUrl(config.server.insecureLoopback ? 'ws' : 'wss', config.server.host, config.server.port);
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** The URL a live server holding `dataDir` recorded, reachable from this host. */
async function runningUrl(dataDir: string): Promise<string | undefined> {
  const recorded = await runningServerUrl(dataDir);
  if (recorded === undefined || !URL.canParse(recorded)) return undefined;
  const url = new URL(recorded);
  const scheme = url.protocol === 'ws:' ? 'ws' : url.protocol === 'wss:' ? 'wss' : undefined;
  return scheme === undefined ? undefined : reachableUrl(scheme, url.hostname, url.port);
}

/** A file named on the command line or in the environment, from the CLI's folder; an empty variable (`REGISTRY_CERT=`) is unset. */
const fileIn = (cwd: string, path: string | undefined): string | undefined => (path === undefined || path === '' ? undefined : resolve(cwd, path));

export interface ClientTarget {
  readonly url: string;
  readonly options: ClientOptions;
}

/**
 * `--url`, else the address of the server that holds the data folder (from its lock file), else
 * the host and port the configuration gives; `--ca`, else `<data dir>/tls/ca.pem` when it exists
 * and no `--fingerprint` pins the certificate instead; `--token`, else `REGISTRY_TOKEN`; `--cert`
 * and `--key`, else `REGISTRY_CERT` and `REGISTRY_KEY` (a key left out is looked for in the
 * certificate's file).
 */
export async function clientTarget(flags: GlobalFlags, io: CliIo): Promise<ClientTarget> {
  let config: RegistryConfig | undefined;
  const shared = async (): Promise<RegistryConfig> => (config ??= await loadClientConfig(flags, io));
  const url = flags.url ?? (await runningUrl((await shared()).server.dataDir)) ?? serverUrl(await shared());
  let caFile = flags.ca;
  if (caFile === undefined && flags.fingerprint === undefined) {
    const local = await localCaPath((await shared()).server.dataDir);
    if (await exists(local)) caFile = local;
  }
  const token = flags.token ?? io.env.REGISTRY_TOKEN;
  const certFile = fileIn(io.cwd, flags.cert ?? io.env.REGISTRY_CERT);
  const keyFile = fileIn(io.cwd, flags.key ?? io.env.REGISTRY_KEY);
  return {
    url,
    options: {
      ...(caFile === undefined ? {} : { caFile }),
      ...(flags.fingerprint === undefined ? {} : { fingerprint: flags.fingerprint }),
      ...(token === undefined || token === '' ? {} : { token }),
      ...(certFile === undefined ? {} : { certFile }),
      ...(keyFile === undefined ? {} : { keyFile }),
      ...(flags.stale ? { consistency: 'stale' } : {}),
    },
  };
}

/** Connects, runs `fn`, and closes the client whatever happens; `timeouts` shorten the defaults (completion). */
export async function withClient<T>(
  flags: GlobalFlags,
  io: CliIo,
  fn: (client: RegistryClient) => Promise<T>,
  timeouts: Pick<ClientOptions, 'timeoutMs' | 'connectTimeoutMs'> = {},
): Promise<T> {
  const target = await clientTarget(flags, io);
  const client = await RegistryClient.connect(target.url, { ...target.options, ...timeouts });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
