import { z } from 'zod';
import {
  CHECK_NAME_PATTERN,
  type CheckDefinition,
  type CheckPolicy,
  checkStatuses,
  type CheckTarget,
  DEFAULT_CHECK_INTERVAL_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_FAILURES_BEFORE_CRITICAL,
  DEFAULT_INITIAL_STATUS,
  DEFAULT_SUCCESS_BEFORE_PASSING,
  DEFAULT_TLS_WARN_DAYS,
  DURATION_HINT,
  durationMs,
  hostSchema,
  isHost,
  MIN_CHECK_INTERVAL_MS,
  MIN_CHECK_TIMEOUT_MS,
  TTL_CHECK_NAME,
} from '../domain/index.js';

/**
 * A check as it is declared, snake_case with durations in seconds or as text ("10s"): the one
 * schema of the wire (`checks` of register, add_check) and of `[[backend.check]]` tables.
 */

const DAY_MS = 86_400_000;

/** Absent and null both mean unset (Plexus clients send either). */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value): z.output<T> | undefined => value ?? undefined);

const duration = (minMs: number, maxMs: number, range: string) =>
  z.union([z.number(), z.string().max(32)]).transform((value, ctx) => {
    const ms = durationMs(value);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: DURATION_HINT });
    else if (ms < minMs || ms > maxMs) ctx.addIssue({ code: 'custom', message: `must be ${range}` });
    return ms ?? 0;
  });

const count = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(100, 'must be ≤ 100');
const pem = z.string().max(65_536, 'must be at most 64 KiB').regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate');
const host = hostSchema;
const port = z.number().int('must be an integer').min(1, 'must be ≥ 1').max(65_535, 'must be ≤ 65535');
const url = z.string().max(2_048, 'must be at most 2048 characters');

const policy = {
  name: z
    .string()
    .regex(CHECK_NAME_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
    .refine((name) => name !== TTL_CHECK_NAME, `"${TTL_CHECK_NAME}" is the service's own TTL; choose another name`),
  interval: opt(duration(MIN_CHECK_INTERVAL_MS, DAY_MS, 'from 1s to 24h')),
  timeout: opt(duration(MIN_CHECK_TIMEOUT_MS, DAY_MS, 'from 10ms to 24h')),
  success_before_passing: opt(count),
  failures_before_warning: opt(count),
  failures_before_critical: opt(count),
  deregister_critical_after: opt(duration(1_000, 365 * DAY_MS, 'from 1s to 365 days')),
  initial_status: opt(z.enum(checkStatuses)),
};

const kinds = [
  z.strictObject({ kind: z.enum(['http', 'https']), url, expect_status: opt(z.number().int().min(100).max(599)), body_contains: opt(z.string().min(1).max(1_024)), ca: opt(pem), ...policy }),
  z.strictObject({ kind: z.literal('tcp'), host, port, ...policy }),
  z.strictObject({ kind: z.enum(['ws', 'wss']), url, rpc_method: opt(z.string().min(1).max(256)), rpc_params: opt(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])), ca: opt(pem), ...policy }),
  z.strictObject({ kind: z.literal('ttl'), ttl: duration(1_000, DAY_MS, 'from 1s to 24h'), ...policy }),
  z.strictObject({ kind: z.literal('tls'), host, port, server_name: opt(host), warn_days: opt(z.number().int().min(1).max(3_650)), ca: opt(pem), ...policy }),
  z.strictObject({ kind: z.literal('script'), command: z.array(z.string().min(1).max(4_096)).min(1, 'must name a program').max(64), ...policy }),
] as const;

type CheckInput = z.output<(typeof kinds)[number]>;
type Issues = z.core.$RefinementCtx;

const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The URL of an http(s) or ws(s) check: its scheme must be the kind, and it may hold no credentials. */
function checkUrl(text: string, kind: string, ctx: Issues): void {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an absolute URL' });
    return;
  }
  if (parsed.protocol !== `${kind}:`) ctx.addIssue({ code: 'custom', path: ['url'], message: `must start with ${kind}:// for a ${kind} check` });
  if (parsed.username !== '' || parsed.password !== '') ctx.addIssue({ code: 'custom', path: ['url'], message: 'must hold no credentials (every reader would see them)' });
  if (!isHost(parsed.hostname.replace(/^\[|\]$/g, ''))) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must name an IP address or an RFC 1123 host' });
}

function targetOf(input: CheckInput, ctx: Issues): CheckTarget {
  switch (input.kind) {
    case 'http':
    case 'https':
      checkUrl(input.url, input.kind, ctx);
      return defined({ kind: input.kind, url: input.url, expectStatus: input.expect_status, bodyContains: input.body_contains, ca: input.ca });
    case 'ws':
    case 'wss':
      checkUrl(input.url, input.kind, ctx);
      return defined({ kind: input.kind, url: input.url, rpcMethod: input.rpc_method, rpcParams: input.rpc_params, ca: input.ca });
    case 'tcp':
      return { kind: 'tcp', host: input.host, port: input.port };
    case 'ttl':
      return { kind: 'ttl', ttlMs: input.ttl };
    case 'tls':
      return defined({ kind: 'tls', host: input.host, port: input.port, serverName: input.server_name, warnDays: input.warn_days ?? DEFAULT_TLS_WARN_DAYS, ca: input.ca });
    case 'script':
      return { kind: 'script', command: input.command };
    default: {
      const never: never = input;
      return never;
    }
  }
}

function policyOf(input: CheckInput, ctx: Issues): CheckPolicy {
  // A TTL is looked at as often as it could run out, at most every 10 s.
  const fallbackInterval = input.kind === 'ttl' ? Math.min(DEFAULT_CHECK_INTERVAL_MS, input.ttl) : DEFAULT_CHECK_INTERVAL_MS;
  const intervalMs = input.interval ?? fallbackInterval;
  const timeoutMs = input.timeout ?? Math.min(DEFAULT_CHECK_TIMEOUT_MS, intervalMs);
  if (timeoutMs > intervalMs) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be at most the interval, so runs cannot pile up' });
  const failuresBeforeCritical = input.failures_before_critical ?? DEFAULT_FAILURES_BEFORE_CRITICAL;
  const failuresBeforeWarning = input.failures_before_warning ?? failuresBeforeCritical;
  if (failuresBeforeWarning > failuresBeforeCritical) {
    ctx.addIssue({ code: 'custom', path: ['failures_before_warning'], message: 'must be at most failures_before_critical' });
  }
  return defined({
    intervalMs,
    timeoutMs,
    successBeforePassing: input.success_before_passing ?? DEFAULT_SUCCESS_BEFORE_PASSING,
    failuresBeforeWarning,
    failuresBeforeCritical,
    deregisterCriticalAfterMs: input.deregister_critical_after,
    initialStatus: input.initial_status ?? DEFAULT_INITIAL_STATUS,
  });
}

/** One check declaration → the domain's CheckDefinition; every problem names its field. */
export const checkDefinition = z.discriminatedUnion('kind', kinds).transform((input, ctx): CheckDefinition => ({
  name: input.name,
  ...targetOf(input, ctx),
  ...policyOf(input, ctx),
}));

/** A list of checks of one service: at most 32, names unique. */
export const checkDefinitionList = z
  .array(checkDefinition)
  .max(32, 'must have at most 32 checks')
  .refine((list) => new Set(list.map((c) => c.name)).size === list.length, 'check names must be unique');

export type CheckDeclaration = z.input<typeof checkDefinition>;
