import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DURATION_HINT, durationMs, PACKAGE_VERSION_PATTERN, RegistryError, SERVICE_NAME_PATTERN } from '../domain/index.js';

/** The files every package has at its root. */
export const MANIFEST_FILE = 'manifest.yaml';
export const CHECKSUM_FILE = 'SHA256SUMS';
export const START_SCRIPT = 'scripts/start.sh';
export const STOP_SCRIPT = 'scripts/stop.sh';
export const INSTALL_SCRIPT = 'scripts/install.sh';
export const HEALTH_SCRIPT = 'scripts/health.sh';

/** How long health checks run, and how often, when the manifest does not say. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;
export const DEFAULT_HEALTH_INTERVAL_MS = 1_000;
const MAX_MANIFEST_BYTES = 64 * 1024;

/** A path inside a package: safe characters only, no `.` or `..` segment. */
export const PACKAGE_PATH_PATTERN = /^[A-Za-z0-9_+-][A-Za-z0-9._@+-]*(\/[A-Za-z0-9_+-][A-Za-z0-9._@+-]*)*$/;
export const isPackagePath = (path: string): boolean =>
  path.length <= 1024 && PACKAGE_PATH_PATTERN.test(path) && !path.split('/').some((part) => part === '.' || part === '..');

/** `30`, `1.5` (seconds), or `500ms`, `10s`, `2m`, read as milliseconds. */
const duration = z
  .union([z.number().positive(), z.string()])
  .transform((value, ctx) => {
    const ms = durationMs(value);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: DURATION_HINT });
    return ms ?? 0;
  })
  .refine((ms) => ms >= 10 && ms <= 3_600_000, { error: 'must be from 10ms to 1 hour', abort: true });

const safeName = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, { error: `must be a ${what} of letters, digits, ".", "_", "+" or "-"` });

const portEntry = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: 'must be lowercase letters, digits, "_" or "-"' }),
  port: z.number().int().min(1).max(65_535),
  protocol: z.string().regex(/^[a-z][a-z0-9+.-]{0,15}$/, { error: 'must be a lowercase protocol name such as "tcp" or "http"' }).default('tcp'),
});

export const manifestSchema = z.strictObject({
  name: z.string().regex(SERVICE_NAME_PATTERN, {
    error: 'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
  }),
  version: z.string().regex(PACKAGE_VERSION_PATTERN, {
    error: 'must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
  }),
  description: z.string().max(1024).optional(),
  service: z
    .strictObject({
      type: z.enum(['managed_process', 'systemd_service', 'docker_container', 'external']).default('managed_process'),
      ports: z
        .array(portEntry)
        .max(32)
        .refine((ports) => new Set(ports.map((p) => p.name)).size === ports.length, { error: 'port names must be unique' })
        .default([]),
    })
    .default({ type: 'managed_process', ports: [] }),
  depends_on: z.array(z.string().regex(SERVICE_NAME_PATTERN, { error: 'must be a service name' })).max(64).default([]),
  requires: z
    .strictObject({
      commands: z.array(safeName('command name')).max(64).default([]),
      libraries: z.array(safeName('library name')).max(64).default([]),
    })
    .default({ commands: [], libraries: [] }),
  health: z
    .strictObject({
      script: z.string().refine(isPackagePath, { error: 'must be a relative path inside the package, such as "scripts/health.sh"' }).optional(),
      interval: duration.default(DEFAULT_HEALTH_INTERVAL_MS),
      timeout: duration.default(DEFAULT_HEALTH_TIMEOUT_MS),
    })
    .optional(),
});

export type Manifest = z.output<typeof manifestSchema>;

interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

function invalid(where: string, fields: readonly FieldIssue[], cause?: unknown): RegistryError {
  const text = fields.map((f) => (f.path === '' ? f.message : `${f.path}: ${f.message}`)).join('; ');
  return new RegistryError('package_invalid', `${where}: ${text}`, { cause, details: { file: MANIFEST_FILE, fields } });
}

/** Parses and validates `manifest.yaml`; every problem names its field. */
export function parseManifest(text: string, where: string = MANIFEST_FILE): Manifest {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    throw invalid(where, [{ path: '', message: `is larger than ${MAX_MANIFEST_BYTES} bytes` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalid(where, doc.errors.map((e) => ({ path: '', message: `not valid YAML: ${e.message.split('\n')[0] ?? e.message}` })), doc.errors[0]);
  }
  const parsed = manifestSchema.safeParse(doc.toJS({ maxAliasCount: 50 }), { reportInput: true });
  if (!parsed.success) {
    const fields = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }))
        : [{ path: issue.path.length === 0 ? '(manifest)' : formatPath(issue.path), message: describeIssue(issue) }],
    );
    throw invalid(where, fields, parsed.error);
  }
  return parsed.data;
}

const describeIssue = (issue: z.core.$ZodIssue): string =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out;
}

/** `<name>-<version>.tar.gz`, the file name `package build` writes. */
export const packageFileName = (manifest: Pick<Manifest, 'name' | 'version'>): string => `${manifest.name}-${manifest.version}.tar.gz`;
