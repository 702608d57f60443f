import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './error.js';
import { toConfigIssues } from './issues.js';
import { absolutePath, envLayer, ENV, envValue, explicitConfigPath, flagsLayer } from './layers.js';
import { locate } from './locate.js';
import { nodeDefinitions } from './nodes.js';
import { limitSettings } from './limits.js';
import { healthSettings, scriptIssues } from './health.js';
import { dnsSettings } from './dns.js';
import { envBackends } from './env-backends.js';
import { defaultConfigPath } from './paths.js';
import { deepFreeze, fileBackends, fileLayer, looseTables, mergeLayers } from './resolve.js';
import { type ConfigFile, fileSchema } from './schema.js';
import type { ConfigEnv, ConfigIssue, ConfigOverrides, RegistryConfig } from './types.js';

export interface LoadConfigOptions {
  /**
   * Command-line flags; they win over the environment, the file and the defaults.
   * @default {}
   */
  readonly flags?: ConfigOverrides;
  /** @default process.env */
  readonly env?: ConfigEnv;
  /**
   * The file to read, when the caller names one (`flags.configPath` still wins).
   * @default REGISTRY_CONFIG, else defaultConfigPath(env)
   */
  readonly configPath?: string;
  /**
   * The folder relative paths from flags and the environment are resolved against.
   * Relative paths in the file are resolved against the file's folder.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Build from flags, environment and defaults only, as if the file were absent. Client commands
   * use it to still find the server while the file is broken. @default false
   */
  readonly ignoreFile?: boolean;
}

/** What a configuration was built from, so a reload can build the next one the same way. */
export interface ConfigInputs {
  readonly flags: ConfigOverrides;
  readonly env: ConfigEnv;
  readonly cwd: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Named by a flag, the caller or `REGISTRY_CONFIG`: then a missing file is an error. */
  readonly explicit: boolean;
}

const sources = new WeakMap<RegistryConfig, { readonly inputs: ConfigInputs; readonly text: string | undefined }>();

/** The inputs and file text a configuration was built from, when `loadConfig` or `parseConfig` built it. */
export const configSource = (config: RegistryConfig) => sources.get(config);

export function resolveInputs(options: LoadConfigOptions = {}): ConfigInputs {
  const flags = options.flags ?? {};
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = explicitConfigPath(flags, options.configPath, env, cwd);
  return Object.freeze({ flags, env, cwd, path: named ?? defaultConfigPath(env), explicit: named !== undefined });
}

function namedBy(inputs: ConfigInputs, options: LoadConfigOptions): string {
  if (inputs.flags.configPath !== undefined) return ' (named by --config)';
  if (options.configPath !== undefined) return '';
  return envValue(inputs.env, ENV.config) === undefined ? '' : ` (named by ${ENV.config})`;
}

/** The file's text; undefined when the default file does not exist. */
export async function readConfigText(inputs: ConfigInputs, options: LoadConfigOptions = {}): Promise<string | undefined> {
  try {
    return await readFile(inputs.path, 'utf8');
  } catch (cause) {
    const code = cause instanceof Error && 'code' in cause ? cause.code : undefined;
    if (code === 'ENOENT' && !inputs.explicit) return undefined;
    const why = code === 'ENOENT' ? `file not found${namedBy(inputs, options)}` : `cannot read the file: ${String(cause)}`;
    throw new ConfigError(inputs.path, [{ source: 'file', message: why }], { cause });
  }
}

function parseToml(text: string, path: string): unknown {
  try {
    return parse(text);
  } catch (cause) {
    if (!(cause instanceof TomlError)) throw cause;
    const [headline = cause.message] = cause.message.split('\n');
    const message = headline.replace(/^Invalid TOML document:\s*/, '');
    throw new ConfigError(path, [{ source: 'file', message, line: cause.line, column: cause.column }], {
      cause,
      snippet: cause.codeblock,
    });
  }
}

/** Backend names repeat: found on the raw input, so it is reported along with every other problem. */
function duplicateNames(raw: unknown, text: string): ConfigIssue[] {
  if (typeof raw !== 'object' || raw === null || !('backend' in raw) || !Array.isArray(raw.backend)) return [];
  const first = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  raw.backend.forEach((entry: unknown, index: number) => {
    if (typeof entry !== 'object' || entry === null || !('name' in entry) || typeof entry.name !== 'string') return;
    const seen = first.get(entry.name);
    if (seen === undefined) {
      first.set(entry.name, index);
      return;
    }
    const position = locate(text, ['backend', index, 'name']);
    issues.push({
      source: 'file',
      path: `backend[${index}].name`,
      message: `duplicate backend name "${entry.name}" (first defined as backend[${seen}])`,
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
    });
  });
  return issues;
}

function validateFile(text: string | undefined, path: string): { file: ConfigFile; issues: ConfigIssue[] } {
  if (text === undefined) return { file: {}, issues: [] };
  const raw = parseToml(text, path);
  const parsed = fileSchema.safeParse(raw, { reportInput: true });
  const schemaIssues = parsed.success ? [] : toConfigIssues(parsed.error.issues, { source: 'file', text });
  const scripts = parsed.success ? scriptIssues(parsed.data, text) : [];
  const issues = [...schemaIssues, ...duplicateNames(raw, text), ...scripts].sort(
    (a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
  );
  return { file: parsed.success ? parsed.data : {}, issues };
}

/** Builds the configuration from the file's text (undefined: no file) and the inputs. */
export function buildConfig(text: string | undefined, inputs: ConfigInputs): RegistryConfig {
  const { file, issues: fileIssues } = validateFile(text, inputs.path);
  const env = envLayer(inputs.env, inputs.cwd);
  const fromEnv = envBackends(inputs.env);
  const flags = flagsLayer(inputs.flags, inputs.cwd);
  const issues = [...fileIssues, ...env.issues, ...fromEnv.issues, ...flags.issues];
  if (issues.length > 0) throw new ConfigError(inputs.path, issues);
  const layers = { flags: flags.layer, env: env.layer, file: fileLayer(file, dirname(inputs.path)) };
  const merged = mergeLayers(layers, inputs.path, { text });
  if (merged.issues.length > 0) throw new ConfigError(inputs.path, merged.issues);
  const config: RegistryConfig = deepFreeze({
    configPath: inputs.path,
    configFound: text !== undefined,
    ...merged.settings,
    limits: limitSettings(file.limits),
    health: healthSettings(file.health),
    dns: dnsSettings(file.dns),
    backends: fileBackends(file),
    envBackends: fromEnv.backends,
    services: looseTables(file.service),
    networks: file.network ?? [],
    nodes: looseTables(file.node),
    nodeDefinitions: nodeDefinitions(file.node, dirname(inputs.path)),
  });
  sources.set(config, { inputs, text });
  return config;
}

/**
 * Reads and validates the configuration: flags › environment › file › defaults.
 * A missing default file is an empty one; a missing file that was named is an error.
 * @throws ConfigError listing every problem, with lines when they are in the file.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<RegistryConfig> {
  const inputs = resolveInputs(options);
  return buildConfig(options.ignoreFile === true ? undefined : await readConfigText(inputs, options), inputs);
}

/** `loadConfig` for text already in hand (no I/O): `configPath` says where it came from. */
export function parseConfig(text: string, options: LoadConfigOptions & { readonly configPath: string }): RegistryConfig {
  const inputs = resolveInputs(options);
  return buildConfig(text, { ...inputs, path: absolutePath(options.configPath, inputs.cwd), explicit: true });
}

/**
 * Reads the file of `previous` again and builds a new configuration with the same flags,
 * environment and folder it was built with.
 * @throws ConfigError, and then `previous` stays the one to use.
 */
export async function reloadConfig(previous: RegistryConfig): Promise<RegistryConfig> {
  const inputs = sources.get(previous)?.inputs ?? resolveInputs({ configPath: previous.configPath });
  return buildConfig(await readConfigText(inputs), inputs);
}
