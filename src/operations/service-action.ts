import { z } from 'zod';
import { changeState, type RegistryEvent, type Service, type ServiceState, serviceStates, serviceWire } from '../domain/index.js';
import { defineOperation, type OperationContext } from './define.js';
import { requestId, serviceName } from './schemas.js';
import { notFound } from './not-found.js';

/** The states each operator verb walks through (seed A's state machine does the checking). */
function actionPath(action: 'start' | 'stop' | 'restart', from: ServiceState): readonly ServiceState[] {
  if (action === 'start') return ['starting'];
  if (action === 'stop') return ['stopping'];
  return from === 'running' || from === 'starting' ? ['stopping', 'stopped', 'starting'] : ['starting'];
}

/**
 * Moves a service along its state machine in one write: every step is a ServiceStateChanged
 * event with old and new state, and an illegal step rejects the whole change naming both states.
 */
async function transition(ctx: OperationContext, name: string, pathFrom: (state: ServiceState) => readonly ServiceState[]): Promise<Service> {
  const now = ctx.clock.now();
  const { value } = await ctx.store.write(async (tx) => {
    const existing = await tx.services.get(name);
    if (existing === undefined) throw notFound(name);
    let current = existing;
    const events: RegistryEvent[] = [];
    for (const next of pathFrom(existing.state)) {
      const step = changeState(current, next, now, tx.revision);
      events.push(step.event);
      current = step.service;
    }
    await tx.services.put(current);
    for (const event of events) tx.emit(event);
    return current;
  });
  return value;
}

/** Operator verbs: start, stop, restart (a restart from running is stopping → stopped → starting). */
export const serviceAction = defineOperation({
  name: 'service_action',
  role: 'write',
  kind: 'write',
  summary: 'start, stop or restart a service (state transitions)',
  input: z.strictObject({ name: serviceName, action: z.enum(['start', 'stop', 'restart']), request_id: requestId }),
  output: serviceWire,
  async handle(input, ctx): Promise<Service> {
    return transition(ctx, input.name, (from) => actionPath(input.action, from));
  },
});

/** A service reports its own state (e.g. starting → running once it serves). */
export const setState = defineOperation({
  name: 'set_state',
  role: 'write',
  kind: 'write',
  summary: 'report the state a service has reached',
  input: z.strictObject({ name: serviceName, state: z.enum(serviceStates), request_id: requestId }),
  output: serviceWire,
  async handle(input, ctx): Promise<Service> {
    return transition(ctx, input.name, () => [input.state]);
  },
});
