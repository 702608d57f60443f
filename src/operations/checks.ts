import {
  type CheckDefinition,
  checksUnchanged,
  declareChecks,
  isActive,
  RegistryError,
  type Service,
  serviceHealth,
} from '../domain/index.js';
import type { OperationContext } from './define.js';

/**
 * Who may declare which check: a `script` check runs a command on the registry host, so it needs
 * the admin role and a server that allows scripts (`[health] allow_scripts = true`).
 */
export function admitChecks(definitions: readonly CheckDefinition[] | undefined, ctx: OperationContext, field = 'checks'): void {
  const index = definitions?.findIndex((check) => check.kind === 'script') ?? -1;
  if (index < 0) return;
  const path = field === 'check' ? 'check' : `${field}[${index}]`;
  if (ctx.runtime.health?.allowScripts !== true) {
    throw new RegistryError('forbidden', `${path}: script checks are off on this server; set [health] allow_scripts = true to allow them`, {
      details: { field: `${path}.kind`, reason: 'scripts_disabled' },
    });
  }
  if (ctx.principal.role !== 'admin') {
    throw new RegistryError('forbidden', `${path}: a script check runs a command on the registry host and needs the admin role; the caller has ${ctx.principal.role}`, {
      details: { field: `${path}.kind`, required: 'admin', held: ctx.principal.role },
    });
  }
}

/** The service with its checks declared anew (unchanged ones keep their status); as it was when none were given. */
export function withChecks(service: Service, previous: Service | undefined, definitions: readonly CheckDefinition[] | undefined, now: number): Service {
  if (definitions === undefined) return service;
  return { ...service, checks: declareChecks(previous?.checks, definitions, now) };
}

/** True when the given checks (if any) are those the service already has. */
export const sameChecks = (existing: Service, definitions: readonly CheckDefinition[] | undefined): boolean =>
  definitions === undefined || checksUnchanged(existing.checks, definitions);

/**
 * Discovery refuses a service it would not hand out (TTL run out, or a critical check) with
 * `unavailable`, the outputs of its failing checks in `details`; `include_unhealthy` overrides.
 */
export function requireHealthy(service: Service, now: number, includeUnhealthy: boolean | undefined): Service {
  if (includeUnhealthy === true || isActive(service, now)) return service;
  const health = serviceHealth(service, now);
  const failing = (service.checks ?? []).filter((check) => check.status === 'critical').map(({ name, status, output }) => ({ name, status, output }));
  const why = health?.message ?? 'it is not healthy';
  throw new RegistryError('unavailable', `service '${service.name}' is unhealthy: ${why}`, {
    details: { service: service.name, health: health?.status ?? 'critical', checks: failing, ...(health?.message === undefined ? {} : { reason: health.message }) },
  });
}
