import type { Revision } from './brand.js';
import type { CheckStatus } from './check.js';
import type { NetworkKind, Service } from './service.js';
import type { ServiceState } from './state.js';

/** What a write emits inside its transaction; the store stamps it with the commit's revision. */
export type RegistryEvent =
  | { readonly type: 'ServiceRegistered'; readonly service: Service }
  | { readonly type: 'ServiceUpdated'; readonly service: Service }
  | { readonly type: 'ServiceDeregistered'; readonly service: Service }
  | {
      readonly type: 'ServiceStateChanged';
      readonly service: Service;
      readonly oldState: ServiceState;
      readonly newState: ServiceState;
    }
  | {
      /** One check (or the service's TTL, as check `ttl`) moved from one status to another. */
      readonly type: 'HealthChanged';
      readonly service: Service;
      readonly check: string;
      readonly from: CheckStatus;
      readonly to: CheckStatus;
      readonly output: string;
      /** Whether discovery hands the service out after this change. */
      readonly active: boolean;
    }
  | { readonly type: 'NetworkTopologyChanged'; readonly hostId: string; readonly addresses: readonly TopologyAddress[] }
  | { readonly type: 'IpAllocated'; readonly network: string; readonly owner: string; readonly address: string }
  | { readonly type: 'IpReleased'; readonly network: string; readonly owner: string; readonly address: string }
  | {
      readonly type: 'DeploymentProgress';
      readonly deploymentId: string;
      readonly node: string;
      readonly service: string;
      readonly step: string;
      readonly status: 'started' | 'succeeded' | 'failed';
      readonly message?: string;
    };

/** One address of this host as topology detection classified it. */
export interface TopologyAddress {
  readonly interface: string;
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly network: NetworkKind;
  /** Why it was classified so (e.g. `link kind wireguard`, `RFC 1918`). */
  readonly reason: string;
  /** The interface's network as `base/prefix` (e.g. `10.1.2.0/24`), when known. */
  readonly cidr?: string;
}

export type EventType = RegistryEvent['type'];

export const eventTypes = [
  'ServiceRegistered',
  'ServiceUpdated',
  'ServiceDeregistered',
  'ServiceStateChanged',
  'HealthChanged',
  'NetworkTopologyChanged',
  'IpAllocated',
  'IpReleased',
  'DeploymentProgress',
] as const satisfies readonly EventType[];

/** An event after commit: it carries the revision of the write that made it and its place in it. */
export type CommittedEvent = RegistryEvent & {
  readonly revision: Revision;
  /** Position of the event among those of one revision (0 for the first). */
  readonly index: number;
  readonly timestamp: number;
};

/** The name of the service an event concerns, used by subscription filters; undefined for host-wide events. */
export function eventServiceName(event: RegistryEvent): string | undefined {
  switch (event.type) {
    case 'ServiceRegistered':
    case 'ServiceUpdated':
    case 'ServiceDeregistered':
    case 'ServiceStateChanged':
    case 'HealthChanged':
      return event.service.name;
    case 'IpAllocated':
    case 'IpReleased':
      return event.owner;
    case 'DeploymentProgress':
      return event.service;
    case 'NetworkTopologyChanged':
      return undefined;
    default: {
      const never: never = event;
      return never;
    }
  }
}
