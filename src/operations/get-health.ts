import { z } from 'zod';
import { type CheckStanding, type CheckStatus, healthReportWire, isActive, serviceHealth, standingChecks } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency, serviceName } from './schemas.js';
import { notFound } from './not-found.js';

export interface HealthReport {
  readonly service: string;
  /** The worst of the TTL and the checks. */
  readonly status: CheckStatus;
  /** Whether discovery hands the service out now. */
  readonly active: boolean;
  /** Why, when the status is not passing. */
  readonly message?: string;
  readonly checks: readonly CheckStanding[];
}

/** One service's health: the worst of its TTL and checks, whether discovery serves it, and every check. */
export const getHealth = defineOperation({
  name: 'get_health',
  role: 'read',
  kind: 'read',
  summary: "a service's health: worst-of status, whether it is served, and each check",
  input: z.strictObject({ name: serviceName, consistency: readConsistency }),
  output: healthReportWire,
  async handle(input, ctx): Promise<HealthReport> {
    const now = ctx.clock.now();
    const service = ctx.store.services.get(input.name);
    if (service === undefined) throw notFound(input.name);
    const health = serviceHealth(service, now);
    const status = health?.status ?? 'passing';
    const message = status === 'passing' ? undefined : health?.message;
    return { service: service.name, status, active: isActive(service, now), ...(message === undefined ? {} : { message }), checks: standingChecks(service, now) };
  },
});
