/**
 * From the global flags to a connected client: the URL and CA default to what the server
 * would use, resolved by the config module from the same --config/--data-dir and environment.
 */
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { type ClientOptions, RegistryClient } from '../client/index.js';
import { loadConfig, type RegistryConfig } from '../config/index.js';
import { type OptionBag, booleanFlag, stringFlag } from './flags.js';
import type { CliIo } from './io.js';
import { localCaPath } from './server-door.js';

/** The options every client command understands (set on the program, usable anywhere). */
export interface GlobalFlags {
  readonly url?: string;
  readonly ca?: string;
  readonly fingerprint?: string;
  readonly token?: string;
  readonly json: boolean;
  readonly config?: string;
  readonly dataDir?: string;
}

export function globalFlags(command: Command): GlobalFlags {
  const bag: OptionBag = command.optsWithGlobals();
  const url = stringFlag(bag, 'url');
  const ca = stringFlag(bag, 'ca');
  const fingerprint = stringFlag(bag, 'fingerprint');
  const token = stringFlag(bag, 'token');
  const config = stringFlag(bag, 'config');
  const dataDir = stringFlag(bag, 'dataDir');
  return {
    ...(url === undefined ? {} : { url }),
    ...(ca === undefined ? {} : { ca }),
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(token === undefined ? {} : { token }),
    ...(config === undefined ? {} : { config }),
    ...(dataDir === undefined ? {} : { dataDir }),
    json: booleanFlag(bag, 'json') ?? false,
  };
}

/** The configuration the server would load with these flags and this environment. */
export function loadSharedConfig(flags: GlobalFlags, io: CliIo): Promise<RegistryConfig> {
  return loadConfig({
    flags: {
      ...(flags.config === undefined ? {} : { configPath: flags.config }),
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    },
    env: io.env,
    cwd: io.cwd,
  });
}

/** Where a client on this host reaches the server: a wildcard bind is reached over loopback. */
export function serverUrl(config: RegistryConfig): string {
  const bound = config.server.host;
  const host = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
  const literal = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${config.server.insecureLoopback ? 'ws' : 'wss'}://${literal}:${config.server.port}`;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

export interface ClientTarget {
  readonly url: string;
  readonly options: ClientOptions;
}

/**
 * `--url`, else the server's host and port; `--ca`, else `<data dir>/tls/ca.pem` when it exists
 * and no `--fingerprint` pins the certificate instead; `--token`, else `REGISTRY_TOKEN`.
 */
export async function clientTarget(flags: GlobalFlags, io: CliIo): Promise<ClientTarget> {
  let config: RegistryConfig | undefined;
  const shared = async (): Promise<RegistryConfig> => (config ??= await loadSharedConfig(flags, io));
  const url = flags.url ?? serverUrl(await shared());
  let caFile = flags.ca;
  if (caFile === undefined && flags.fingerprint === undefined) {
    const local = await localCaPath((await shared()).server.dataDir);
    if (await exists(local)) caFile = local;
  }
  const token = flags.token ?? io.env.REGISTRY_TOKEN;
  return {
    url,
    options: {
      ...(caFile === undefined ? {} : { caFile }),
      ...(flags.fingerprint === undefined ? {} : { fingerprint: flags.fingerprint }),
      ...(token === undefined || token === '' ? {} : { token }),
    },
  };
}

/** Connects, runs `fn`, and closes the client whatever happens. */
export async function withClient<T>(flags: GlobalFlags, io: CliIo, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
  const target = await clientTarget(flags, io);
  const client = await RegistryClient.connect(target.url, target.options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
