import type { CommittedEvent } from '../domain/index.js';
import { encodeService } from './wire-service.js';

/** The `data` of an event on the wire: snake_case, services in full, the same in every dialect. */
export function encodeEventData(event: CommittedEvent, now: number): Record<string, unknown> {
  switch (event.type) {
    case 'ServiceRegistered':
    case 'ServiceUpdated':
    case 'ServiceDeregistered':
      return { service: encodeService(event.service, now) };
    case 'ServiceStateChanged':
      return { service: encodeService(event.service, now), old_state: event.oldState, new_state: event.newState };
    case 'HealthChanged':
      return { service: encodeService(event.service, now), check: event.check, from: event.from, to: event.to, output: event.output, active: event.active };
    case 'NetworkTopologyChanged':
      return { host_id: event.hostId, addresses: event.addresses };
    case 'IpAllocated':
    case 'IpReleased':
      return { network: event.network, owner: event.owner, address: event.address };
    case 'DeploymentProgress':
      return {
        deployment_id: event.deploymentId,
        node: event.node,
        service: event.service,
        step: event.step,
        status: event.status,
        ...(event.message === undefined ? {} : { message: event.message }),
      };
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The part of an event frame every subscriber shares, serialised once: `"event":…,"revision":…,"data":…`. */
export function encodeEventBody(event: CommittedEvent, now: number): string {
  return `"event":${JSON.stringify(event.type)},"revision":${event.revision},"index":${event.index},"timestamp":${Math.floor(event.timestamp / 1000)},"data":${JSON.stringify(encodeEventData(event, now))}`;
}
