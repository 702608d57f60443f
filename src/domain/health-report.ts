import { type CheckStatus, type ServiceCheck, TTL_CHECK_NAME } from './check.js';
import { isTtlAlive } from './health.js';
import type { Service } from './service.js';

/** The service's own TTL shown as a check: not declared, never scheduled, derived from `lastSeen`. */
export interface TtlStanding {
  readonly name: typeof TTL_CHECK_NAME;
  readonly kind: 'ttl';
  readonly ttlMs: number;
  readonly status: CheckStatus;
  readonly output: string;
  readonly since: number;
}

/** A row of `list_checks` and `get_health`: a declared check, or the TTL. */
export type CheckStanding = ServiceCheck | TtlStanding;

export const isDeclaredCheck = (check: CheckStanding): check is ServiceCheck => 'intervalMs' in check;

/** Where the service's TTL stands now; undefined for a service without one. */
export function ttlStanding(service: Service, now: number): TtlStanding | undefined {
  if (service.ttlSeconds === undefined) return undefined;
  const seen = service.lastSeen ?? service.registeredAt;
  const ttlMs = service.ttlSeconds * 1000;
  const ago = `last sign of life ${Math.max(0, Math.round((now - seen) / 1000))}s ago`;
  if (!isTtlAlive(service, now)) return { name: TTL_CHECK_NAME, kind: 'ttl', ttlMs, status: 'critical', output: `${ago}, past its TTL of ${service.ttlSeconds}s`, since: seen + ttlMs };
  const revived = service.health?.status === 'passing' ? service.health.checkedAt : undefined;
  return { name: TTL_CHECK_NAME, kind: 'ttl', ttlMs, status: 'passing', output: ago, since: revived ?? service.registeredAt };
}

/** The TTL (when the service has one), then every declared check. */
export function standingChecks(service: Service, now: number): CheckStanding[] {
  const ttl = ttlStanding(service, now);
  return [...(ttl === undefined ? [] : [ttl]), ...(service.checks ?? [])];
}
