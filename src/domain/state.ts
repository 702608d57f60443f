import { RegistryError } from './errors.js';

export const serviceStates = ['registered', 'starting', 'running', 'stopping', 'stopped', 'failed'] as const;
export type ServiceState = (typeof serviceStates)[number];

/** Seed A's transition rules; `failed` is reachable from anywhere. */
const allowed: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  registered: ['starting', 'failed'],
  starting: ['running', 'stopping', 'failed'],
  running: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  stopped: ['starting', 'failed'],
  failed: ['starting', 'failed'],
};

export const canTransition = (from: ServiceState, to: ServiceState): boolean => allowed[from].includes(to);

export function assertTransition(from: ServiceState, to: ServiceState): void {
  if (!canTransition(from, to)) {
    throw new RegistryError('illegal_transition', `a service cannot move from '${from}' to '${to}'`, {
      details: { from, to },
    });
  }
}
