/** The live event feed: newest first, each event's time, revision, type and what it is about. */
import type { EventWire } from '../../../src/domain/index.js';
import { clockTime, el, show } from '../dom.js';

/** One line saying what an event is about. */
export function describeEvent(event: EventWire): string {
  switch (event.event) {
    case 'ServiceRegistered':
    case 'ServiceUpdated':
    case 'ServiceDeregistered':
      return `${event.data.service.name} (${event.data.service.host}:${event.data.service.port})`;
    case 'ServiceStateChanged':
      return `${event.data.service.name}: ${event.data.old_state} → ${event.data.new_state}`;
    case 'HealthChanged':
      return `${event.data.service.name}: check ${event.data.check} ${event.data.from} → ${event.data.to}${event.data.output === '' ? '' : ` (${event.data.output})`}`;
    case 'NetworkTopologyChanged':
      return `${event.data.host_id}: ${event.data.addresses.length} addresses`;
    case 'IpAllocated':
    case 'IpReleased':
      return `${event.data.network}: ${event.data.address} ${event.event === 'IpAllocated' ? 'to' : 'from'} ${event.data.owner}`;
    case 'DeploymentProgress':
      return `${event.data.service} on ${event.data.node}: ${event.data.step} ${event.data.status}${event.data.message === undefined ? '' : ` (${event.data.message})`}`;
    default: {
      const unknown: never = event;
      void unknown;
      return '';
    }
  }
}

/** A class for the event's tone: trouble in red, recoveries in green. */
function toneOf(event: EventWire): string {
  if (event.event === 'HealthChanged') return `tone-${event.data.to}`;
  if (event.event === 'DeploymentProgress' && event.data.status === 'failed') return 'tone-critical';
  if (event.event === 'ServiceDeregistered' || event.event === 'IpReleased') return 'tone-muted';
  return 'tone-plain';
}

export function renderEvents(target: HTMLElement, feed: readonly EventWire[]): void {
  if (feed.length === 0) return show(target, el('li', { class: 'empty' }, 'waiting for events…'));
  show(
    target,
    ...feed.map((event) =>
      el(
        'li',
        { class: `event ${toneOf(event)}`, 'data-event': event.event, 'data-revision': event.revision },
        el('time', { class: 'muted' }, clockTime(event.timestamp)),
        el('span', { class: 'revision muted' }, `#${event.revision}`),
        el('span', { class: 'type' }, event.event),
        el('span', { class: 'about' }, describeEvent(event)),
      ),
    ),
  );
}
