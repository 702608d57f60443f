import type { Revision } from './brand.js';
import type { Service } from './service.js';
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
  | { readonly type: 'HealthChanged'; readonly service: Service; readonly active: boolean };

export type EventType = RegistryEvent['type'];

export const eventTypes = [
  'ServiceRegistered',
  'ServiceUpdated',
  'ServiceDeregistered',
  'ServiceStateChanged',
  'HealthChanged',
] as const satisfies readonly EventType[];

/** An event after commit: it carries the revision of the write that made it and its place in it. */
export type CommittedEvent = RegistryEvent & {
  readonly revision: Revision;
  /** Position of the event among those of one revision (0 for the first). */
  readonly index: number;
  readonly timestamp: number;
};

/** The name of the service an event concerns, used by subscription filters. */
export function eventServiceName(event: RegistryEvent): string {
  switch (event.type) {
    case 'ServiceRegistered':
    case 'ServiceUpdated':
    case 'ServiceDeregistered':
    case 'ServiceStateChanged':
    case 'HealthChanged':
      return event.service.name;
    default: {
      const never: never = event;
      return never;
    }
  }
}
