import { resolve } from 'node:path';
import { z } from 'zod';
import { hostSchema, type Role } from '../domain/index.js';
import { toConfigIssues } from './issues.js';
import { logLevel, serverPort } from './schema.js';
import type { ConfigEnv, ConfigIssue, ConfigOverrides, LogLevel } from './types.js';

/** One source's settings in a common, camelCase form; paths are absolute. Merged flags › env › file. */
export interface SettingsLayer {
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
  readonly dbPath?: string;
  readonly autoRegister?: boolean;
  readonly logLevel?: LogLevel;
  readonly insecureLoopback?: boolean;
  readonly maxFrameBytes?: number;
  readonly hostId?: string;
  readonly topologyIntervalSeconds?: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** File only. */
  readonly tlsNames?: readonly string[];
  /** File only. */
  readonly tlsClientCa?: string;
  readonly loopbackRole?: Role;
  readonly anonymousRole?: Role;
  readonly allowedOrigins?: readonly string[];
  readonly storeUrl?: string;
  readonly eventRetention?: number;
}

export interface LayerResult {
  readonly layer: SettingsLayer;
  readonly issues: readonly ConfigIssue[];
}

/** A `scheme://` location (e.g. `postgres://…`) is kept as written; anything else is a path. */
export const isUrl = (location: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location);

/** Absolute and normalized; a relative `path` is taken from `base`. */
export const absolutePath = (path: string, base: string): string => resolve(base, path);

export const absoluteIn = (base: string, path: string | undefined): string | undefined =>
  path === undefined ? undefined : absolutePath(path, base);

export const storeIn = (base: string, url: string | undefined): string | undefined =>
  url === undefined || isUrl(url) ? url : absolutePath(url, base);

// ---------------------------------------------------------------- environment

export const ENV = {
  port: 'REGISTRY_PORT',
  host: 'REGISTRY_HOST',
  config: 'REGISTRY_CONFIG',
  dbPath: 'REGISTRY_DB_PATH',
  log: 'REGISTRY_LOG',
  dataDir: 'REGISTRY_DATA_DIR',
  backends: 'REGISTRY_BACKENDS',
} as const;

/** An empty variable counts as unset, as shells make it easy to export one by mistake. */
export const envValue = (env: ConfigEnv, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const envSchema = z.strictObject({
  [ENV.port]: z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number from 0 to 65535' })
    .transform(Number)
    .pipe(serverPort)
    .optional(),
  [ENV.host]: hostSchema.optional(),
  [ENV.dbPath]: z.string().optional(),
  [ENV.log]: logLevel.optional(),
  [ENV.dataDir]: z.string().optional(),
});

export function envLayer(env: ConfigEnv, cwd: string): LayerResult {
  const raw = {
    [ENV.port]: envValue(env, ENV.port),
    [ENV.host]: envValue(env, ENV.host),
    [ENV.dbPath]: envValue(env, ENV.dbPath),
    [ENV.log]: envValue(env, ENV.log),
    [ENV.dataDir]: envValue(env, ENV.dataDir),
  };
  const parsed = envSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { layer: {}, issues: toConfigIssues(parsed.error.issues, { source: 'env' }) };
  const v = parsed.data;
  return {
    layer: {
      port: v.REGISTRY_PORT,
      host: v.REGISTRY_HOST,
      dbPath: absoluteIn(cwd, v.REGISTRY_DB_PATH),
      logLevel: v.REGISTRY_LOG,
      dataDir: absoluteIn(cwd, v.REGISTRY_DATA_DIR),
    },
    issues: [],
  };
}

// ---------------------------------------------------------------- flags

const FLAG_NAMES: Readonly<Record<keyof ConfigOverrides, string>> = {
  host: '--host',
  port: '--port',
  configPath: '--config',
  dataDir: '--data-dir',
  dbPath: '--db-path',
  tlsCert: '--tls-cert',
  tlsKey: '--tls-key',
  insecureLoopback: '--insecure-loopback',
  logLevel: '--log-level',
  autoRegister: '--auto-register',
  storeUrl: '--store',
};

const isFlag = (key: string): key is keyof ConfigOverrides => Object.hasOwn(FLAG_NAMES, key);
const flagLabel = (key: string): string => (isFlag(key) ? FLAG_NAMES[key] : key);

const path = z.string().min(1).optional();
const flagsSchema = z.strictObject({
  host: hostSchema.optional(),
  port: serverPort.optional(),
  configPath: path,
  dataDir: path,
  dbPath: path,
  tlsCert: path,
  tlsKey: path,
  insecureLoopback: z.boolean().optional(),
  logLevel: logLevel.optional(),
  autoRegister: z.boolean().optional(),
  storeUrl: path,
});

/** Flags are typed, but a CLI can still hand over NaN or a misspelt level: they are checked too. */
export function flagsLayer(flags: ConfigOverrides, cwd: string): LayerResult {
  const parsed = flagsSchema.safeParse(flags, { reportInput: true });
  if (!parsed.success) {
    return { layer: {}, issues: toConfigIssues(parsed.error.issues, { source: 'flags', label: flagLabel }) };
  }
  const f = parsed.data;
  return {
    layer: {
      host: f.host,
      port: f.port,
      dataDir: absoluteIn(cwd, f.dataDir),
      dbPath: absoluteIn(cwd, f.dbPath),
      tlsCert: absoluteIn(cwd, f.tlsCert),
      tlsKey: absoluteIn(cwd, f.tlsKey),
      insecureLoopback: f.insecureLoopback,
      logLevel: f.logLevel,
      autoRegister: f.autoRegister,
      storeUrl: storeIn(cwd, f.storeUrl),
    },
    issues: [],
  };
}

/** The config path named by flags, the caller or the environment, if any; absolute. */
export function explicitConfigPath(
  flags: ConfigOverrides,
  configPath: string | undefined,
  env: ConfigEnv,
  cwd: string,
): string | undefined {
  const named = flags.configPath ?? configPath ?? envValue(env, ENV.config);
  return named === undefined || named === '' ? undefined : absolutePath(named, cwd);
}
