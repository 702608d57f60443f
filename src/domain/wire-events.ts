/**
 * An event on the wire (README "Events"): its type, the revision of the write that made it, its place
 * in that write, the commit time (Unix seconds) and its data, snake_case. Event frames wrap this
 * in their dialect's envelope (`"type":"event","subscription":…` in the action envelope).
 */
import { z } from 'zod';
import { checkStatuses } from './check.js';
import { serviceStates } from './state.js';
import { serviceWire } from './wire-service.js';
import { unixSeconds } from './wire-common.js';
import { topologyAddressWire } from './wire-topology.js';

const eventOf = <E extends z.ZodType, D extends z.ZodType>(event: E, data: D) =>
  z.object({ event, revision: z.number().int(), index: z.number().int(), timestamp: unixSeconds, data });

export const eventWire = z.discriminatedUnion('event', [
  eventOf(z.enum(['ServiceRegistered', 'ServiceUpdated', 'ServiceDeregistered']), z.object({ service: serviceWire })),
  eventOf(
    z.literal('ServiceStateChanged'),
    z.object({ service: serviceWire, old_state: z.enum(serviceStates), new_state: z.enum(serviceStates) }),
  ),
  eventOf(
    z.literal('HealthChanged'),
    z.object({
      service: serviceWire,
      check: z.string(),
      from: z.enum(checkStatuses),
      to: z.enum(checkStatuses),
      output: z.string(),
      /** Whether discovery hands the service out after this change. */
      active: z.boolean(),
    }),
  ),
  eventOf(z.literal('NetworkTopologyChanged'), z.object({ host_id: z.string(), addresses: z.array(topologyAddressWire) })),
  eventOf(z.enum(['IpAllocated', 'IpReleased']), z.object({ network: z.string(), owner: z.string(), address: z.string() })),
  eventOf(
    z.literal('DeploymentProgress'),
    z.object({
      deployment_id: z.string(),
      node: z.string(),
      service: z.string(),
      step: z.string(),
      status: z.enum(['started', 'succeeded', 'failed']),
      message: z.string().optional(),
    }),
  ),
]);

export type EventWire = z.output<typeof eventWire>;
/** The `data` of one event type on the wire. */
export type EventDataWire<T extends EventWire['event']> = EventWire extends infer E
  ? E extends { readonly event: infer V; readonly data: infer D }
    ? T extends V
      ? D
      : never
    : never
  : never;
