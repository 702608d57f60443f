import {
  type CheckStanding,
  type CheckStatus,
  checkStatuses,
  type CheckTarget,
  isDeclaredCheck,
  type ServiceCheck,
  type TtlStanding,
} from '../domain/index.js';
import type { CheckOutput, CheckRow, HealthReport } from '../operations/index.js';

/** Wire durations are seconds (a fraction for sub-second timeouts), wire times Unix seconds. */
const seconds = (ms: number): number => ms / 1000;
const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function targetFields(target: CheckTarget): Record<string, unknown> {
  switch (target.kind) {
    case 'http':
    case 'https':
      return { url: target.url, ...defined({ expect_status: target.expectStatus, body_contains: target.bodyContains, ca: target.ca }) };
    case 'ws':
    case 'wss':
      return { url: target.url, ...defined({ rpc_method: target.rpcMethod, rpc_params: target.rpcParams, ca: target.ca }) };
    case 'tcp':
      return { host: target.host, port: target.port };
    case 'tls':
      return { host: target.host, port: target.port, warn_days: target.warnDays, ...defined({ server_name: target.serverName, ca: target.ca }) };
    case 'ttl':
      return { ttl: seconds(target.ttlMs) };
    case 'script':
      return { command: target.command };
    default: {
      const never: never = target;
      return never;
    }
  }
}

const defined = (value: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

/** A check on the wire: the declaration as it would be sent, then where it stands. */
export function encodeCheck(check: CheckStanding): Record<string, unknown> {
  const out: Record<string, unknown> = { name: check.name, kind: check.kind };
  if (isDeclaredCheck(check)) {
    Object.assign(out, targetFields(check), {
      interval: seconds(check.intervalMs),
      timeout: seconds(check.timeoutMs),
      success_before_passing: check.successBeforePassing,
      failures_before_warning: check.failuresBeforeWarning,
      failures_before_critical: check.failuresBeforeCritical,
    });
    put(out, 'deregister_critical_after', check.deregisterCriticalAfterMs === undefined ? undefined : seconds(check.deregisterCriticalAfterMs));
    out.initial_status = check.initialStatus;
  } else {
    out.ttl = seconds(check.ttlMs);
  }
  return { ...out, status: check.status, output: check.output, since: unixSeconds(check.since) };
}

export const encodeCheckRow = (row: CheckRow): Record<string, unknown> => ({ service: row.service, ...encodeCheck(row.check) });

export const encodeCheckOutput = (out: CheckOutput): Record<string, unknown> => ({ service: out.service, check: encodeCheck(out.check) });

export function encodeHealthReport(report: HealthReport): Record<string, unknown> {
  return { service: report.service, status: report.status, active: report.active, ...defined({ message: report.message }), checks: report.checks.map(encodeCheck) };
}

/* Decoding is for the client library: the server is trusted, so shapes are read, not re-validated. */
type Wire = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Wire => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Wire) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const ms = (v: unknown): number => Math.round((num(v) ?? 0) * 1000);
const statusOf = (v: unknown): CheckStatus => checkStatuses.find((s) => s === v) ?? 'critical';

function decodeTarget(w: Wire): CheckTarget {
  const kind = str(w.kind);
  const url = str(w.url) ?? '';
  switch (kind) {
    case 'http':
    case 'https':
      return defined({ kind, url, expectStatus: num(w.expect_status), bodyContains: str(w.body_contains), ca: str(w.ca) }) as CheckTarget;
    case 'ws':
    case 'wss':
      return defined({ kind, url, rpcMethod: str(w.rpc_method), rpcParams: w.rpc_params, ca: str(w.ca) }) as CheckTarget;
    case 'tcp':
      return { kind, host: str(w.host) ?? '', port: num(w.port) ?? 0 };
    case 'tls':
      return defined({ kind, host: str(w.host) ?? '', port: num(w.port) ?? 0, warnDays: num(w.warn_days) ?? 0, serverName: str(w.server_name), ca: str(w.ca) }) as CheckTarget;
    case 'script':
      return { kind, command: Array.isArray(w.command) ? w.command.filter((c): c is string => typeof c === 'string') : [] };
    default:
      return { kind: 'ttl', ttlMs: ms(w.ttl) };
  }
}

/** A declared check as the wire carries it. */
function decodeDeclared(value: unknown): ServiceCheck {
  const w = obj(value);
  return {
    name: str(w.name) ?? '',
    ...decodeTarget(w),
    intervalMs: ms(w.interval),
    timeoutMs: ms(w.timeout),
    successBeforePassing: num(w.success_before_passing) ?? 1,
    failuresBeforeWarning: num(w.failures_before_warning) ?? 1,
    failuresBeforeCritical: num(w.failures_before_critical) ?? 1,
    ...(w.deregister_critical_after === undefined ? {} : { deregisterCriticalAfterMs: ms(w.deregister_critical_after) }),
    initialStatus: statusOf(w.initial_status),
    status: statusOf(w.status),
    output: str(w.output) ?? '',
    since: ms(w.since),
  };
}

/** A row of list_checks or get_health: a declared check, or the TTL (which has no interval). */
export function decodeCheck(value: unknown): CheckStanding {
  const w = obj(value);
  if (w.interval !== undefined) return decodeDeclared(w);
  const ttl: TtlStanding = { name: 'ttl', kind: 'ttl', ttlMs: ms(w.ttl), status: statusOf(w.status), output: str(w.output) ?? '', since: ms(w.since) };
  return ttl;
}

/** The checks of a service record as the wire carries them (declared checks only). */
export const decodeServiceChecks = (value: unknown): ServiceCheck[] | undefined => (Array.isArray(value) ? value.map(decodeDeclared) : undefined);

export const decodeCheckRow = (value: unknown): CheckRow => ({ service: str(obj(value).service) ?? '', check: decodeCheck(value) });

export const decodeCheckOutput = (value: unknown): CheckOutput => ({ service: str(obj(value).service) ?? '', check: decodeDeclared(obj(value).check) });

export function decodeHealthReport(value: unknown): HealthReport {
  const w = obj(value);
  const message = str(w.message);
  return {
    service: str(w.service) ?? '',
    status: statusOf(w.status),
    active: w.active === true,
    ...(message === undefined ? {} : { message }),
    checks: Array.isArray(w.checks) ? w.checks.map(decodeCheck) : [],
  };
}
