import { applyTransition, type CheckStatus, deregistrationDue, firstOutput } from '../domain/index.js';
import type { ResolvedHealthOptions } from './options.js';

export interface RunRecord {
  /** The status moved, in one write with its HealthChanged event. */
  readonly transitioned: boolean;
  /** The check had been critical for its `deregister_critical_after`: the service is gone. */
  readonly deregistered: boolean;
}

type Deps = Pick<ResolvedHealthOptions, 'store' | 'clock' | 'deregister' | 'logger'>;

/** One transition, one write: the service with the check moved, and its HealthChanged, at one revision. */
async function writeTransition(deps: Deps, service: string, check: string, from: CheckStatus, to: CheckStatus, output: string): Promise<boolean> {
  const now = deps.clock.now();
  const { value } = await deps.store.write(async (tx) => {
    const current = await tx.services.get(service);
    // Re-read inside the write: a registration that changed the check meanwhile wins.
    const applied = current === undefined ? undefined : applyTransition(current, { check, from, to, output }, now, tx.revision);
    if (applied === undefined) return false;
    await tx.services.put(applied.service);
    tx.emit(applied.event);
    return true;
  });
  if (value) deps.logger.info({ service, check, from, to }, 'health check status changed');
  return value;
}

/** The output of a check's first run that kept its status: a silent write (no event, no revision). */
async function noteFirstOutput(deps: Deps, service: string, check: string, status: CheckStatus, output: string): Promise<void> {
  await deps.store.write(async (tx) => {
    const current = await tx.services.get(service);
    const noted = current === undefined ? undefined : firstOutput(current, check, status, output);
    if (noted !== undefined) await tx.services.put(noted);
  });
}

/** Deregisters the service when the check is still critical past its `deregister_critical_after`. */
async function deregisterIfDue(deps: Deps, service: string, check: string): Promise<boolean> {
  const now = deps.clock.now();
  const { value } = await deps.store.write(async (tx) => {
    const current = await tx.services.get(service);
    const dead = current?.checks?.find((c) => c.name === check);
    if (current === undefined || dead === undefined || !deregistrationDue(dead, now)) return false;
    await deps.deregister(tx, current);
    return true;
  });
  if (value) deps.logger.info({ service, check }, 'service deregistered: its check stayed critical past deregister_critical_after');
  return value;
}

/** Writes what one run decided: the transition when the status moved, then a deregistration when one is due. */
export async function recordRun(deps: Deps, service: string, check: string, from: CheckStatus, to: CheckStatus, output: string): Promise<RunRecord> {
  const transitioned = to !== from && (await writeTransition(deps, service, check, from, to, output));
  const standing = deps.store.services.get(service)?.checks?.find((c) => c.name === check);
  if (to === from && standing?.output === '') await noteFirstOutput(deps, service, check, to, output);
  const deregistered = standing !== undefined && deregistrationDue(standing, deps.clock.now()) && (await deregisterIfDue(deps, service, check));
  return { transitioned, deregistered };
}
