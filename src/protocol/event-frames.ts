import type { CommittedEvent, EventDataWire, EventType, RegistryEvent, Service } from '../domain/index.js';
import type { Frozen } from './frozen.js';
import { encodeService, toSeconds } from './wire-service.js';
import { encodeTopologyAddress } from './wire-topology.js';

type EventOf<T extends EventType> = Extract<RegistryEvent, { readonly type: T }>;
type DataEncoders = { readonly [T in EventType]: (event: EventOf<T>, now: number) => Frozen<EventDataWire<T>> };

const serviceData = (event: { readonly service: Service }, now: number) => ({ service: encodeService(event.service, now) });
const ipData = (event: EventOf<'IpAllocated' | 'IpReleased'>) => ({ network: event.network, owner: event.owner, address: event.address });

/** The `data` of each event type on the wire (`domain/wire-events.ts`): snake_case, services in full. */
const dataEncoders = {
  ServiceRegistered: serviceData,
  ServiceUpdated: serviceData,
  ServiceDeregistered: serviceData,
  ServiceStateChanged: (e, now) => ({ service: encodeService(e.service, now), old_state: e.oldState, new_state: e.newState }),
  HealthChanged: (e, now) => ({ service: encodeService(e.service, now), check: e.check, from: e.from, to: e.to, output: e.output, active: e.active }),
  NetworkTopologyChanged: (e) => ({ host_id: e.hostId, addresses: e.addresses.map(encodeTopologyAddress) }),
  IpAllocated: ipData,
  IpReleased: ipData,
  DeploymentProgress: (e) => ({ deployment_id: e.deploymentId, node: e.node, service: e.service, step: e.step, status: e.status, message: e.message }),
} satisfies DataEncoders;

function encodeData<T extends EventType>(type: T, event: EventOf<T>, now: number): Frozen<EventDataWire<T>> {
  const encoders: DataEncoders = dataEncoders;
  return encoders[type](event, now);
}

/** The `data` of an event on the wire, the same in every dialect. */
export const encodeEventData = (event: CommittedEvent, now: number) => encodeData(event.type, event, now);

/** The part of an event frame every subscriber shares, serialised once: `"event":…,"revision":…,"data":…`. */
export function encodeEventBody(event: CommittedEvent, now: number): string {
  return `"event":${JSON.stringify(event.type)},"revision":${event.revision},"index":${event.index},"timestamp":${toSeconds(event.timestamp)},"data":${JSON.stringify(encodeEventData(event, now))}`;
}
