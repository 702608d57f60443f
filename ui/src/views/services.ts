/**
 * Services: health, state, and the address on each network (local, lan, wireguard, public) with
 * the port, worst health first, with a filter on any text the row shows and on health.
 */
import type { ServiceWire } from '../../../src/domain/index.js';
import { ago, el, show } from '../dom.js';

export type HealthFilter = 'all' | 'passing' | 'warning' | 'critical' | 'inactive';

export interface ServiceFilter {
  readonly text: string;
  readonly health: HealthFilter;
}

/** A service's health as the page shows it: its worst check or TTL, or `unknown` without either. */
export const healthOf = (service: ServiceWire): 'passing' | 'warning' | 'critical' | 'unknown' => service.health?.status ?? 'unknown';

const HEALTH_ORDER: Readonly<Record<ReturnType<typeof healthOf>, number>> = { critical: 0, warning: 1, unknown: 2, passing: 3 };
const NETWORKS = ['local', 'lan', 'wireguard', 'public'] as const;

/** The text the filter looks in. */
function searchable(service: ServiceWire): string {
  const addresses = NETWORKS.map((n) => service.addresses[n]).filter((a) => a !== undefined);
  return [service.name, service.namespace, service.description, service.host, service.state, service.host_id, ...service.tags, ...addresses, healthOf(service)]
    .filter((part) => part !== undefined)
    .join(' ')
    .toLowerCase();
}

export function matches(service: ServiceWire, filter: ServiceFilter): boolean {
  if (filter.health === 'inactive' && service.is_active) return false;
  if (filter.health !== 'all' && filter.health !== 'inactive' && healthOf(service) !== filter.health) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const text = searchable(service);
  return words.every((word) => text.includes(word));
}

const hostPort = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** One chip per network the service has an address on; the primary host:port when it names none. */
function addressCell(service: ServiceWire): HTMLElement {
  const chips = NETWORKS.flatMap((network) => {
    const address = service.addresses[network];
    return address === undefined ? [] : [el('span', { class: `chip kind-${network}`, title: `${network} address` }, el('b', {}, network), ' ', hostPort(address, service.port))];
  });
  if (chips.length === 0) chips.push(el('span', { class: 'chip', title: 'the registered host and port' }, hostPort(service.host, service.port)));
  return el('td', { class: 'addresses' }, ...chips);
}

function healthCell(service: ServiceWire): HTMLElement {
  const health = healthOf(service);
  const why = service.health?.message;
  return el(
    'td',
    {},
    el('span', { class: `badge health-${health}`, title: why ?? (health === 'unknown' ? 'no health check has run and no TTL has said anything yet' : health) }, health === 'unknown' ? 'no checks' : health),
    service.is_active ? null : el('span', { class: 'badge inactive', title: 'discovery does not hand it out now' }, 'inactive'),
  );
}

function row(service: ServiceWire): HTMLElement {
  const health = healthOf(service);
  return el(
    'tr',
    { 'data-service': service.name, 'data-health': health, class: `health-${health}` },
    el('td', {}, el('span', { class: 'name' }, service.name), service.description === undefined ? null : el('div', { class: 'muted' }, service.description)),
    healthCell(service),
    el('td', {}, el('span', { class: `state state-${service.state}` }, service.state)),
    addressCell(service),
    el('td', { class: 'muted' }, service.version ?? '—'),
    el('td', { class: 'muted', title: service.last_seen === undefined ? '' : new Date(service.last_seen * 1000).toISOString() }, ago(service.last_seen)),
  );
}

/** Draws the table body and the counts. */
export function renderServices(target: { readonly body: HTMLElement; readonly summary: HTMLElement }, services: Iterable<ServiceWire>, filter: ServiceFilter): void {
  const all = [...services];
  const shown = all.filter((s) => matches(s, filter)).sort((a, b) => HEALTH_ORDER[healthOf(a)] - HEALTH_ORDER[healthOf(b)] || a.name.localeCompare(b.name));
  const count = (health: ReturnType<typeof healthOf>): number => all.filter((s) => healthOf(s) === health).length;
  show(
    target.summary,
    `${all.length} services: `,
    el('span', { class: 'health-critical-text' }, `${count('critical')} critical`),
    ', ',
    el('span', { class: 'health-warning-text' }, `${count('warning')} warning`),
    `, ${count('passing')} passing`,
    shown.length === all.length ? '' : ` — ${shown.length} shown`,
  );
  if (shown.length === 0) {
    show(target.body, el('tr', {}, el('td', { colspan: 6, class: 'empty' }, all.length === 0 ? 'no services are registered' : 'no service matches the filter')));
    return;
  }
  show(target.body, ...shown.map(row));
}
