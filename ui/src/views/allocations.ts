/**
 * IP allocation per `[[network]]`: a utilisation bar (addresses held of those it may hand out)
 * and the owners with their addresses. Capacity is a decimal string on the wire (an IPv6 /64
 * holds 2^64); the bar only needs its ratio.
 */
import type { AllocationWire, NetworkWire } from '../../../src/domain/index.js';
import { compareAddresses } from '../../../src/domain/ip.js';
import { clockTime, el, show, svg } from '../dom.js';

const BAR_WIDTH = 400;
const BAR_HEIGHT = 18;

/** The share of `capacity` that `held` is, from 0 to 1. */
function share(held: number, capacity: string): number {
  const total = Number(capacity);
  return Number.isFinite(total) && total > 0 ? Math.min(1, held / total) : 0;
}

const percent = (ratio: number): string => (ratio === 0 ? '0%' : ratio < 0.001 ? '<0.1%' : `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`);

function bar(network: NetworkWire, held: number): SVGSVGElement {
  const ratio = share(held, network.capacity);
  // At least a sliver once anything is held, so one address in a large block still shows.
  const filled = held === 0 ? 0 : Math.max(2, Math.round(ratio * BAR_WIDTH));
  const level = ratio >= 0.9 ? 'full' : ratio >= 0.7 ? 'high' : 'ok';
  return svg(
    'svg',
    { viewBox: `0 0 ${BAR_WIDTH} ${BAR_HEIGHT}`, class: 'bar', role: 'img', 'aria-label': `${network.name}: ${held} of ${network.capacity} addresses held`, preserveAspectRatio: 'none' },
    svg('rect', { x: 0, y: 0, width: BAR_WIDTH, height: BAR_HEIGHT, rx: 4, class: 'bar-track' }),
    svg('rect', { x: 0, y: 0, width: filled, height: BAR_HEIGHT, rx: 4, class: `bar-fill level-${level}`, 'data-held': held, 'data-ratio': ratio.toFixed(6) }),
  );
}

function networkCard(network: NetworkWire, held: readonly AllocationWire[]): HTMLElement {
  const ratio = share(held.length, network.capacity);
  const owners = [...held].sort((a, b) => compareAddresses(a.address, b.address));
  return el(
    'article',
    { class: `card network kind-${network.kind}`, 'data-network': network.name },
    el('header', {}, el('span', { class: 'name' }, network.name), ' ', el('span', { class: `chip kind-${network.kind}` }, network.kind), ' ', el('span', { class: 'muted' }, network.cidr)),
    bar(network, held.length),
    el('p', { class: 'usage' }, `${held.length} of ${network.capacity} addresses held (${percent(ratio)})`, network.gateway === undefined ? '' : ` · gateway ${network.gateway}`),
    owners.length === 0
      ? el('p', { class: 'muted' }, 'no address is held')
      : el(
          'table',
          { class: 'owners' },
          el('thead', {}, el('tr', {}, el('th', {}, 'address'), el('th', {}, 'owner'), el('th', {}, 'since'))),
          el('tbody', {}, ...owners.map((a) => el('tr', { 'data-owner': a.owner }, el('td', { class: 'mono' }, a.address), el('td', {}, a.owner), el('td', { class: 'muted' }, clockTime(a.allocated_at))))),
        ),
  );
}

export function renderAllocations(target: HTMLElement, networks: Iterable<NetworkWire>, heldIn: (network: string) => AllocationWire[]): void {
  const list = [...networks];
  if (list.length === 0) return show(target, el('p', { class: 'empty' }, 'no [[network]] is configured'));
  show(target, ...list.map((network) => networkCard(network, heldIn(network.name))));
}
