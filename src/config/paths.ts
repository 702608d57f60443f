import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { absolutePath, ENV, envValue } from './layers.js';
import type { ConfigEnv } from './types.js';

/**
 * `$XDG_CONFIG_HOME/plexus/backends.toml`, else `~/.config/plexus/backends.toml`. A relative
 * `XDG_CONFIG_HOME` is ignored, as the XDG specification asks.
 */
export function defaultConfigPath(env: ConfigEnv = process.env): string {
  const xdg = envValue(env, 'XDG_CONFIG_HOME');
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(envValue(env, 'HOME') ?? homedir(), '.config');
  return join(base, 'plexus', 'backends.toml');
}

export interface DataDirOptions {
  /** @default process.env */
  readonly env?: ConfigEnv;
  /** A config path named on the command line, if any. */
  readonly configPath?: string;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/**
 * The data folder when no `data_dir` is set in the file: `REGISTRY_DATA_DIR`, else the
 * folder of the configuration file (`--config`, `REGISTRY_CONFIG`, or the default).
 * A CLI command that must agree with the server on everything, the file included,
 * uses `loadConfig(…).server.dataDir` instead.
 */
export function defaultDataDir(options: DataDirOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = envValue(env, ENV.dataDir);
  if (fromEnv !== undefined) return absolutePath(fromEnv, cwd);
  const named = options.configPath ?? envValue(env, ENV.config);
  return dirname(named === undefined ? defaultConfigPath(env) : absolutePath(named, cwd));
}
