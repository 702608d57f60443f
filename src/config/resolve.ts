import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { isLoopback } from '../domain/index.js';
import type { FileBackend, LooseTable } from './types.js';
import { absoluteIn, storeIn, type SettingsLayer } from './layers.js';
import { locate } from './locate.js';
import type { ConfigFile } from './schema.js';
import {
  type ConfigIssue,
  type ConfigIssueSource,
  DEFAULT_ANONYMOUS_ROLE,
  DEFAULT_BACKEND_PROTOCOL,
  DEFAULT_DB_FILE,
  DEFAULT_EVENT_RETENTION,
  DEFAULT_HOST,
  DEFAULT_LOG_LEVEL,
  DEFAULT_LOOPBACK_ROLE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_TOPOLOGY_INTERVAL_SECONDS,
  DEFAULT_PORT,
  type RegistryConfig,
  type TlsSettings,
} from './types.js';

/** The file's settings as a layer; its relative paths are resolved against its own folder. */
export function fileLayer(file: ConfigFile, configDir: string): SettingsLayer {
  const { server = {}, tls = {}, auth = {}, storage = {} } = file;
  return {
    host: server.host,
    port: server.port,
    dataDir: absoluteIn(configDir, server.data_dir),
    dbPath: absoluteIn(configDir, server.db_path),
    autoRegister: server.auto_register,
    logLevel: server.log_level,
    insecureLoopback: server.insecure_loopback,
    maxFrameBytes: server.max_frame_bytes,
    hostId: server.host_id,
    topologyIntervalSeconds: server.topology_interval,
    tlsCert: absoluteIn(configDir, tls.cert),
    tlsKey: absoluteIn(configDir, tls.key),
    tlsNames: tls.names,
    tlsClientCa: absoluteIn(configDir, tls.client_ca),
    loopbackRole: auth.loopback_role,
    anonymousRole: auth.anonymous_role,
    allowedOrigins: auth.allowed_origins,
    storeUrl: storeIn(configDir, storage.url),
    eventRetention: storage.event_retention,
  };
}

export function fileBackends(file: ConfigFile): FileBackend[] {
  return (file.backend ?? []).map((b) => ({
    name: b.name,
    host: b.host,
    port: b.port,
    protocol: b.protocol ?? DEFAULT_BACKEND_PROTOCOL,
    ...(b.description === undefined ? {} : { description: b.description }),
    ...(b.namespace === undefined ? {} : { namespace: b.namespace }),
    ...(b.ttl === undefined ? {} : { ttlSeconds: b.ttl }),
    ...(b.check === undefined ? {} : { checks: b.check }),
  }));
}

export interface Layers {
  readonly flags: SettingsLayer;
  readonly env: SettingsLayer;
  readonly file: SettingsLayer;
}

type Origin = ConfigIssueSource | 'default';
interface Picked<T> {
  readonly value: T | undefined;
  readonly origin: Origin;
}

/** flags › env › file; `default` when no layer sets it. */
function pick<K extends keyof SettingsLayer>(layers: Layers, key: K): Picked<SettingsLayer[K]> {
  for (const origin of ['flags', 'env', 'file'] as const) {
    const value = layers[origin][key];
    if (value !== undefined) return { value, origin };
  }
  return { value: undefined, origin: 'default' };
}

/** The file's keys as an issue names them and `locate` finds them. */
const FILE_KEYS: Readonly<Record<'tlsCert' | 'tlsKey' | 'tlsNames' | 'insecureLoopback', readonly string[]>> = {
  tlsCert: ['tls', 'cert'],
  tlsKey: ['tls', 'key'],
  tlsNames: ['tls', 'names'],
  insecureLoopback: ['server', 'insecure_loopback'],
};

interface CrossContext {
  readonly text: string | undefined;
}

function crossIssue(
  ctx: CrossContext,
  source: Origin,
  key: keyof typeof FILE_KEYS,
  issue: { path?: string; message: string },
): ConfigIssue {
  const position = source === 'file' && ctx.text !== undefined ? locate(ctx.text, FILE_KEYS[key]) : undefined;
  return {
    source: source === 'default' ? 'file' : source,
    ...issue,
    ...(position === undefined ? {} : { line: position.line, column: position.column }),
  };
}

export type MergedSettings = Pick<RegistryConfig, 'server' | 'tls' | 'auth' | 'storage'>;

export interface MergeResult {
  readonly settings: MergedSettings;
  readonly issues: readonly ConfigIssue[];
}

/** `[tls]`: cert and key go together; names apply only to the certificate the server makes. */
function mergeTls(layers: Layers, ctx: CrossContext, issues: ConfigIssue[]): TlsSettings {
  const cert = pick(layers, 'tlsCert');
  const key = pick(layers, 'tlsKey');
  if ((cert.value === undefined) !== (key.value === undefined)) {
    const [set, missing] = cert.value === undefined ? [key, 'cert'] : [cert, 'key'];
    issues.push(
      crossIssue(ctx, set.origin, cert.value === undefined ? 'tlsKey' : 'tlsCert', {
        path: 'tls',
        message: `cert and key go together; ${missing} is missing`,
      }),
    );
  }
  const names = layers.file.tlsNames ?? [];
  const files = cert.value !== undefined && key.value !== undefined ? { cert: cert.value, key: key.value } : null;
  if (files !== null && names.length > 0) {
    issues.push(
      crossIssue(ctx, 'file', 'tlsNames', {
        path: 'tls.names',
        message: `names apply to the certificate the server makes; it serves the certificate ${files.cert} as it is (put the names in that certificate)`,
      }),
    );
  }
  return { files, names, clientCa: layers.file.tlsClientCa ?? null };
}

/** Merges the layers over the defaults and checks the rules that span fields. */
export function mergeLayers(layers: Layers, configPath: string, ctx: CrossContext): MergeResult {
  const value = <K extends keyof SettingsLayer>(key: K): SettingsLayer[K] => pick(layers, key).value;
  const host = pick(layers, 'host');
  const insecure = pick(layers, 'insecureLoopback');
  const dataDir = value('dataDir') ?? dirname(configPath);
  const dbPath = value('dbPath') ?? join(dataDir, DEFAULT_DB_FILE);
  const dbOrigin = pick(layers, 'dbPath').origin;
  const storeUrl =
    layers.flags.storeUrl ?? (dbOrigin === 'flags' || dbOrigin === 'env' ? dbPath : layers.file.storeUrl ?? dbPath);
  const hostValue = host.value ?? DEFAULT_HOST;
  const issues: ConfigIssue[] = [];

  if (insecure.value === true && !isLoopback(hostValue)) {
    issues.push(
      crossIssue(ctx, insecure.origin, 'insecureLoopback', {
        message:
          `--insecure-loopback serves plaintext and is only allowed while bound to loopback; ` +
          `host ${hostValue} is not loopback`,
      }),
    );
  }
  const tls = mergeTls(layers, ctx, issues);

  const settings: MergedSettings = {
    server: {
      host: hostValue,
      port: value('port') ?? DEFAULT_PORT,
      dataDir,
      dbPath,
      autoRegister: value('autoRegister') ?? true,
      logLevel: value('logLevel') ?? DEFAULT_LOG_LEVEL,
      insecureLoopback: insecure.value ?? false,
      maxFrameBytes: value('maxFrameBytes') ?? DEFAULT_MAX_FRAME_BYTES,
      hostId: value('hostId') ?? hostname(),
      topologyIntervalSeconds: value('topologyIntervalSeconds') ?? DEFAULT_TOPOLOGY_INTERVAL_SECONDS,
    },
    tls,
    auth: {
      loopbackRole: value('loopbackRole') ?? DEFAULT_LOOPBACK_ROLE,
      anonymousRole: value('anonymousRole') ?? DEFAULT_ANONYMOUS_ROLE,
      allowedOrigins: value('allowedOrigins') ?? [],
    },
    storage: { url: storeUrl, eventRetention: value('eventRetention') ?? DEFAULT_EVENT_RETENTION },
  };
  return { settings, issues };
}

/** Freezes an object and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export const looseTables = (tables: readonly Record<string, unknown>[] | undefined): LooseTable[] =>
  (tables ?? []).map((table) => ({ ...table }));
