import {
  type AddedCheckWire,
  type CheckRowWire,
  type CheckStanding,
  type CheckTarget,
  type CheckWire,
  type DeclaredCheckWire,
  type HealthReportWire,
  isDeclaredCheck,
  type ServiceCheck,
} from '../domain/index.js';
import type { CheckRow, CheckOutput, HealthReport } from '../operations/index.js';
import type { Frozen } from './frozen.js';

/** Wire durations are seconds (a fraction for sub-second timeouts), wire times Unix seconds. */
const seconds = (ms: number): number => ms / 1000;
const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** The fields of a check's target, between `kind` and its policy, in the schema's order. */
function targetFields(target: CheckTarget) {
  switch (target.kind) {
    case 'http':
    case 'https':
      return { kind: target.kind, url: target.url, expect_status: target.expectStatus, body_contains: target.bodyContains, ca: target.ca };
    case 'ws':
    case 'wss':
      return { kind: target.kind, url: target.url, rpc_method: target.rpcMethod, rpc_params: target.rpcParams, ca: target.ca };
    case 'tcp':
      return { kind: target.kind, host: target.host, port: target.port };
    case 'tls':
      return { kind: target.kind, host: target.host, port: target.port, warn_days: target.warnDays, server_name: target.serverName, ca: target.ca };
    case 'ttl':
      return { kind: target.kind, ttl: seconds(target.ttlMs) };
    case 'script':
      return { kind: target.kind, command: target.command };
    default: {
      const never: never = target;
      return never;
    }
  }
}

/** A declared check on the wire: the declaration as it would be sent, then where it stands. */
export function encodeDeclaredCheck(check: ServiceCheck): Frozen<DeclaredCheckWire> {
  return {
    name: check.name,
    ...targetFields(check),
    interval: seconds(check.intervalMs),
    timeout: seconds(check.timeoutMs),
    success_before_passing: check.successBeforePassing,
    failures_before_warning: check.failuresBeforeWarning,
    failures_before_critical: check.failuresBeforeCritical,
    deregister_critical_after: check.deregisterCriticalAfterMs === undefined ? undefined : seconds(check.deregisterCriticalAfterMs),
    initial_status: check.initialStatus,
    status: check.status,
    output: check.output,
    since: unixSeconds(check.since),
  };
}

/** A row of get_health's checks: a declared check, or the service's TTL (which has no policy). */
export function encodeCheck(check: CheckStanding): Frozen<CheckWire> {
  if (isDeclaredCheck(check)) return encodeDeclaredCheck(check);
  return { name: check.name, kind: check.kind, ttl: seconds(check.ttlMs), status: check.status, output: check.output, since: unixSeconds(check.since) };
}

export const encodeCheckRow = (row: CheckRow): Frozen<CheckRowWire> => ({ service: row.service, ...encodeCheck(row.check) });

export const encodeCheckOutput = (out: CheckOutput): Frozen<AddedCheckWire> => ({ service: out.service, check: encodeDeclaredCheck(out.check) });

export const encodeHealthReport = (report: HealthReport): Frozen<HealthReportWire> => ({
  service: report.service,
  status: report.status,
  active: report.active,
  message: report.message,
  checks: report.checks.map(encodeCheck),
});
