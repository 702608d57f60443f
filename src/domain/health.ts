/**
 * The rules of health (issue 13), as pure functions: thresholds, status transitions, worst-of
 * aggregation, and which services discovery hands out.
 */
import type { Revision } from './brand.js';
import {
  type CheckDefinition,
  type CheckStatus,
  checkStatuses,
  type CheckVerdict,
  MAX_CHECK_OUTPUT,
  type ServiceCheck,
  TTL_CHECK_NAME,
} from './check.js';
import type { RegistryEvent } from './events.js';
import type { HealthStatus, Service } from './service.js';

const rank = (status: CheckStatus): number => checkStatuses.indexOf(status);

/** The worst of some statuses; passing when there are none. */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'passing';
  for (const status of statuses) if (rank(status) > rank(worst)) worst = status;
  return worst;
}

/** True while a service with a TTL has shown a sign of life within it (always true without one). */
export function isTtlAlive(service: Service, now: number): boolean {
  if (service.ttlSeconds === undefined) return true;
  const seen = service.lastSeen ?? service.registeredAt;
  return now - seen <= service.ttlSeconds * 1000;
}

/** The worst status of a service's checks: passing when it has none. */
export const checksStatus = (service: Service): CheckStatus => worstStatus((service.checks ?? []).map((c) => c.status));

/**
 * Derived, never stored: discovery hands a service out while its TTL is fine and its checks are
 * not critical (Plexus `is_active`). A warning still serves.
 */
export const isActive = (service: Service, now: number): boolean => isTtlAlive(service, now) && checksStatus(service) !== 'critical';

/** The TTL's part of a service's health, as a status with its reason. */
function ttlHealth(service: Service, now: number): HealthStatus | undefined {
  if (service.ttlSeconds === undefined || isTtlAlive(service, now)) return undefined;
  const seen = service.lastSeen ?? service.registeredAt;
  const message = `no sign of life within its TTL of ${service.ttlSeconds}s`;
  return { status: 'critical', message, checkedAt: seen + service.ttlSeconds * 1000, durationMs: 0 };
}

/**
 * A service's health for people and the wire: the worst of its TTL and its checks, with the
 * reason of the worst. Undefined when nothing ever said anything about its health.
 */
export function serviceHealth(service: Service, now: number): HealthStatus | undefined {
  const ttl = ttlHealth(service, now);
  if (ttl !== undefined) return ttl;
  const checks = service.checks ?? [];
  if (checks.length === 0) return service.health === undefined ? undefined : { ...service.health, status: 'passing' };
  const worst = checks.reduce((a, b) => (rank(b.status) > rank(a.status) ? b : a));
  const said = worst.output === '' ? `${worst.status} until its first run` : worst.output;
  const message = worst.status === 'passing' ? undefined : `${worst.name}: ${said}`;
  const checkedAt = Math.max(...checks.map((c) => c.since));
  return { status: worst.status, ...(message === undefined ? {} : { message }), checkedAt, durationMs: 0 };
}

/** Consecutive results of one check since its status last changed; kept by whoever runs it. */
export interface CheckCounters {
  readonly passes: number;
  /** Results that were not a pass (fail or warn). */
  readonly nonPasses: number;
  /** Consecutive `fail` results (a warn resets it). */
  readonly fails: number;
}

export const NO_COUNTS: CheckCounters = Object.freeze({ passes: 0, nonPasses: 0, fails: 0 });

type Thresholds = Pick<CheckDefinition, 'successBeforePassing' | 'failuresBeforeWarning' | 'failuresBeforeCritical'>;

/**
 * One result against the thresholds: `success_before_passing` passes in a row make a check
 * passing, `failures_before_critical` fails in a row critical, and `failures_before_warning`
 * non-passes in a row take a passing check to warning. A single failure below a threshold
 * changes nothing (no flapping).
 */
export function observe(
  status: CheckStatus,
  counters: CheckCounters,
  verdict: CheckVerdict,
  thresholds: Thresholds,
): { readonly counters: CheckCounters; readonly status: CheckStatus } {
  if (verdict === 'pass') {
    const next = { passes: counters.passes + 1, nonPasses: 0, fails: 0 };
    return { counters: next, status: next.passes >= thresholds.successBeforePassing ? 'passing' : status };
  }
  const fails = verdict === 'fail' ? counters.fails + 1 : 0;
  const next = { passes: 0, nonPasses: counters.nonPasses + 1, fails };
  if (fails >= thresholds.failuresBeforeCritical) return { counters: next, status: 'critical' };
  // A warn result names warning as the status it wants, even from critical; a fail never improves one.
  const warned = next.nonPasses >= thresholds.failuresBeforeWarning && (verdict === 'warn' || status === 'passing');
  return { counters: next, status: warned ? 'warning' : status };
}

/** Output as it is kept: at most MAX_CHECK_OUTPUT characters. */
export const boundOutput = (text: string): string =>
  text.length <= MAX_CHECK_OUTPUT ? text : `${text.slice(0, MAX_CHECK_OUTPUT - 1)}…`;

/** The declared part of a check, without where it stands. */
export function definitionOf(check: ServiceCheck): CheckDefinition {
  const { status: _status, output: _output, since: _since, ...definition } = check;
  return definition as CheckDefinition;
}

const sameDefinition = (a: CheckDefinition, b: CheckDefinition): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A new check at its initial status. */
export const newCheck = (definition: CheckDefinition, now: number): ServiceCheck => ({
  ...definition,
  status: definition.initialStatus,
  output: '',
  since: now,
});

/**
 * The checks a service has once `definitions` are declared: a check whose definition did not
 * change keeps where it stands; a new or changed one starts over at its initial status.
 */
export function declareChecks(existing: readonly ServiceCheck[] | undefined, definitions: readonly CheckDefinition[], now: number): ServiceCheck[] {
  const before = new Map((existing ?? []).map((check) => [check.name, check]));
  return definitions.map((definition) => {
    const kept = before.get(definition.name);
    return kept !== undefined && sameDefinition(definitionOf(kept), definition) ? kept : newCheck(definition, now);
  });
}

/** True when declaring `definitions` would leave the checks as they are. */
export const checksUnchanged = (existing: readonly ServiceCheck[] | undefined, definitions: readonly CheckDefinition[]): boolean =>
  JSON.stringify((existing ?? []).map(definitionOf)) === JSON.stringify(definitions);

export interface CheckTransition {
  readonly check: string;
  readonly from: CheckStatus;
  readonly to: CheckStatus;
  readonly output: string;
}

/**
 * The service with one check moved from `from` to `to`, and its HealthChanged event; undefined
 * when the check is gone or no longer stands at `from` (someone changed it meanwhile).
 */
export function applyTransition(
  service: Service,
  transition: CheckTransition,
  now: number,
  revision: Revision,
): { readonly service: Service; readonly event: RegistryEvent } | undefined {
  const checks = service.checks ?? [];
  const current = checks.find((c) => c.name === transition.check);
  if (current === undefined || current.status !== transition.from || transition.from === transition.to) return undefined;
  const output = boundOutput(transition.output);
  const moved: ServiceCheck = { ...current, status: transition.to, output, since: now };
  const next: Service = { ...service, checks: checks.map((c) => (c === current ? moved : c)), updatedAt: now, revision };
  const event: RegistryEvent = { type: 'HealthChanged', service: next, check: transition.check, from: transition.from, to: transition.to, output, active: isActive(next, now) };
  return { service: next, event };
}

/**
 * A check's first output when its first run kept the initial status: kept without an event or a
 * revision (like a ping's `lastSeen`), so a check that starts critical and stays so still says
 * why. Undefined when the check is gone, moved, or already has an output.
 */
export function firstOutput(service: Service, check: string, status: CheckStatus, output: string): Service | undefined {
  const checks = service.checks ?? [];
  const current = checks.find((c) => c.name === check);
  if (current === undefined || current.status !== status || current.output !== '' || output === '') return undefined;
  const noted: ServiceCheck = { ...current, output: boundOutput(output) };
  return { ...service, checks: checks.map((c) => (c === current ? noted : c)) };
}

/** True when a check has been critical for its `deregister_critical_after`. */
export const deregistrationDue = (check: ServiceCheck, now: number): boolean =>
  check.status === 'critical' && check.deregisterCriticalAfterMs !== undefined && now - check.since >= check.deregisterCriticalAfterMs;

/** Which of `shards` a check belongs to (FNV-1a of service and check name): every server agrees. */
export function checkShard(service: string, check: string, shards: number): number {
  let hash = 0x811c9dc5;
  const key = `${service}\n${check}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** True when the TTL ran out and the sweeper has not announced it yet. */
export const ttlExpiryDue = (service: Service, now: number): boolean =>
  service.ttlSeconds !== undefined && !isTtlAlive(service, now) && service.health?.status !== 'critical';

/** The sweeper's change once a TTL ran out: the service marked critical, and HealthChanged for check `ttl`. */
export function expireTtl(service: Service, now: number, revision: Revision): { readonly service: Service; readonly event: RegistryEvent } {
  const output = `no sign of life within its TTL of ${service.ttlSeconds ?? 0}s`;
  const next: Service = { ...service, health: { status: 'critical', message: output, checkedAt: now, durationMs: 0 }, revision };
  return { service: next, event: { type: 'HealthChanged', service: next, check: TTL_CHECK_NAME, from: 'passing', to: 'critical', output, active: false } };
}

/** True when a sign of life brings the TTL back (it ran out, or the sweeper announced it). */
export const ttlRevives = (service: Service, now: number): boolean => !isTtlAlive(service, now) || service.health?.status === 'critical';

/** A sign of life: `lastSeen` moves; when it brings the TTL back, the change is a HealthChanged. */
export function signOfLife(service: Service, now: number, revision: Revision): { readonly service: Service; readonly event?: RegistryEvent } {
  if (!ttlRevives(service, now)) return { service: { ...service, lastSeen: now } };
  const next: Service = { ...service, lastSeen: now, revision, updatedAt: now, health: { status: 'passing', checkedAt: now, durationMs: 0 } };
  const output = 'sign of life';
  return { service: next, event: { type: 'HealthChanged', service: next, check: TTL_CHECK_NAME, from: 'critical', to: 'passing', output, active: isActive(next, now) } };
}
