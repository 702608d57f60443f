/**
 * The topology as a picture, in SVG made with DOM calls: this host, its interfaces with their
 * classified addresses, the networks they sit on (the configured `[[network]]`s and the blocks
 * detection found), and the services placed on the networks their addresses fall in. Which
 * network an address is in is the one IP module's arithmetic (src/domain/ip.ts), not a rule of
 * the page's own.
 */
import { cidrContains, parseCidr, parseIp, type Cidr } from '../../../src/domain/ip.js';
import { isLoopback } from '../../../src/domain/loopback.js';
import type { HostTopologyWire, ServiceWire } from '../../../src/domain/index.js';
import { el, show, svg } from '../dom.js';
import { healthOf } from './services.js';

/** The network kinds of topology, and `other` for a bare host that no network of this host holds. */
type Kind = 'local' | 'lan' | 'wireguard' | 'public' | 'other';

interface Segment {
  readonly key: string;
  readonly label: string;
  readonly detail: string;
  readonly kind: Kind;
  readonly block?: Cidr;
}

/** The most services the picture draws; the table lists them all. */
const MAX_DRAWN = 60;
const COLUMN_X = [16, 200, 440, 700] as const;
const COLUMN_W = [160, 200, 220, 200] as const;
const SERVICE_H = 34;
const SEGMENT_H = 46;
const GAP = 12;
const TOP = 40;

const blockOf = (text: string | undefined): Cidr | undefined => {
  if (text === undefined) return undefined;
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr : undefined;
};

/** The networks of the picture: configured ones first, then each block an address of the host is in, then loopback. */
function segmentsOf(topology: HostTopologyWire): Segment[] {
  const segments: Segment[] = topology.networks.map((n) => ({ key: `net:${n.name}`, label: n.name, detail: `${n.kind} ${n.cidr}`, kind: n.kind, ...optionalBlock(blockOf(n.cidr)) }));
  for (const address of topology.addresses) {
    if (segmentFor(segments, address.address) !== undefined) continue;
    if (address.network === 'local') {
      if (!segments.some((s) => s.key === 'local')) segments.push({ key: 'local', label: 'loopback', detail: 'this host only', kind: 'local' });
      continue;
    }
    const block = blockOf(address.cidr);
    segments.push({ key: `block:${address.cidr ?? address.address}`, label: address.cidr ?? address.address, detail: `${address.network} on ${address.interface}`, kind: address.network, ...optionalBlock(block) });
  }
  return segments;
}

const optionalBlock = (block: Cidr | undefined): { block?: Cidr } => (block === undefined ? {} : { block });

/** The segment an address is in: loopback, or the smallest block that holds it. */
function segmentFor(segments: readonly Segment[], text: string): Segment | undefined {
  if (isLoopback(text)) return segments.find((s) => s.kind === 'local');
  const ip = parseIp(text);
  if (ip === undefined) return undefined;
  const holding = segments.filter((s) => s.block !== undefined && cidrContains(s.block, ip));
  return holding.sort((a, b) => Number((a.block?.last ?? 0n) - (a.block?.base ?? 0n) - ((b.block?.last ?? 0n) - (b.block?.base ?? 0n))))[0];
}

/** Where each service sits: the segments its addresses are in; elsewhere, a segment per network kind off this host. */
function placeServices(services: readonly ServiceWire[], segments: Segment[]): Map<string, Set<string>> {
  const placed = new Map<string, Set<string>>();
  for (const service of services) {
    const keys = new Set<string>();
    const addresses: [Kind, string][] = (['local', 'lan', 'wireguard', 'public'] as const).flatMap((k) => {
      const a = service.addresses[k];
      return a === undefined ? [] : [[k, a] as [Kind, string]];
    });
    // A service that names no address per network is placed by its host; which kind a foreign host is, is not the page's to guess.
    if (addresses.length === 0) addresses.push([isLoopback(service.host) ? 'local' : 'other', service.host]);
    for (const [kind, address] of addresses) {
      let segment = segmentFor(segments, address);
      if (segment === undefined) {
        const key = `elsewhere:${kind}`;
        segment = segments.find((s) => s.key === key);
        if (segment === undefined) {
          segment = { key, label: kind === 'other' ? 'elsewhere' : `${kind}, elsewhere`, detail: 'not a network of this host', kind };
          segments.push(segment);
        }
      }
      keys.add(segment.key);
    }
    placed.set(service.name, keys);
  }
  return placed;
}

const link = (x1: number, y1: number, x2: number, y2: number, kind: string): SVGPathElement => {
  const mid = (x1 + x2) / 2;
  return svg('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: `link kind-${kind}` });
};

/** SVG text does not wrap or clip: long names are cut, and the whole text is the element's tooltip. */
const fit = (text: string, width: number): string => {
  const room = Math.floor((width - 16) / 7);
  return text.length <= room ? text : `${text.slice(0, room - 1)}…`;
};

const box = (x: number, y: number, w: number, h: number, cls: string, ...lines: (string | [string, string])[]): SVGGElement =>
  svg(
    'g',
    { class: cls },
    svg('rect', { x, y, width: w, height: h, rx: 6 }),
    ...lines.map((line, i) => {
      const [text, textClass] = typeof line === 'string' ? [line, i === 0 ? 'title' : 'detail'] : line;
      return svg('text', { x: x + 10, y: y + 18 + i * 16, class: textClass }, fit(text, w), svg('title', {}, text));
    }),
  );

/** Draws the picture into `target`. */
export function renderTopology(target: HTMLElement, topology: HostTopologyWire | undefined, allServices: Iterable<ServiceWire>): void {
  if (topology === undefined) return show(target, el('p', { class: 'empty' }, 'no topology yet'));
  const services = [...allServices].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_DRAWN);
  const segments = segmentsOf(topology);
  const placed = placeServices(services, segments);
  const interfaces = [...new Set(topology.addresses.map((a) => a.interface))];

  const ifaceY = new Map<string, number>();
  const addressY = new Map<string, number>();
  let y = TOP;
  const ifaceBoxes = interfaces.map((name) => {
    const own = topology.addresses.filter((a) => a.interface === name);
    const h = 26 + own.length * 16;
    const top = y;
    ifaceY.set(name, top + h / 2);
    own.forEach((a, i) => addressY.set(`${name} ${a.address}`, top + 18 + (i + 1) * 16 - 4));
    y += h + GAP;
    return box(COLUMN_X[1], top, COLUMN_W[1], h, 'node interface', name, ...own.map((a): [string, string] => [`${a.address} · ${a.network}`, `detail kind-${a.network}-text`]));
  });
  const segmentY = new Map(segments.map((s, i) => [s.key, TOP + i * (SEGMENT_H + GAP) + SEGMENT_H / 2]));
  const serviceY = new Map(services.map((s, i) => [s.name, TOP + i * (SERVICE_H + GAP / 2) + SERVICE_H / 2]));
  const height = Math.max(y, TOP + segments.length * (SEGMENT_H + GAP), TOP + services.length * (SERVICE_H + GAP / 2)) + GAP;
  const hostY = Math.max(TOP, height / 2 - 30);

  const links: SVGPathElement[] = [];
  for (const name of interfaces) links.push(link(COLUMN_X[0] + COLUMN_W[0], hostY + 30, COLUMN_X[1], ifaceY.get(name) ?? 0, 'host'));
  for (const a of topology.addresses) {
    const segment = segmentFor(segments, a.address);
    if (segment !== undefined) links.push(link(COLUMN_X[1] + COLUMN_W[1], addressY.get(`${a.interface} ${a.address}`) ?? 0, COLUMN_X[2], segmentY.get(segment.key) ?? 0, segment.kind));
  }
  for (const service of services) {
    for (const key of placed.get(service.name) ?? []) {
      const kind = segments.find((s) => s.key === key)?.kind ?? 'public';
      links.push(link(COLUMN_X[2] + COLUMN_W[2], segmentY.get(key) ?? 0, COLUMN_X[3], serviceY.get(service.name) ?? 0, kind));
    }
  }
  const width = COLUMN_X[3] + COLUMN_W[3] + 16;
  const picture = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `topology of ${topology.host_id}`, class: 'topology' },
    ...['this host', 'interfaces', 'networks', 'services'].map((heading, i) => svg('text', { x: COLUMN_X[i] ?? 0, y: 20, class: 'heading' }, heading)),
    svg('g', { class: 'links' }, ...links),
    box(COLUMN_X[0], hostY, COLUMN_W[0], 60, 'node host', topology.host_id, `${interfaces.length} interfaces`),
    ...ifaceBoxes,
    ...segments.map((s) => {
      const g = box(COLUMN_X[2], (segmentY.get(s.key) ?? 0) - SEGMENT_H / 2, COLUMN_W[2], SEGMENT_H, `node network kind-${s.kind}`, s.label, s.detail);
      g.setAttribute('data-network', s.key);
      return g;
    }),
    ...services.map((s) => {
      const g = box(COLUMN_X[3], (serviceY.get(s.name) ?? 0) - SERVICE_H / 2, COLUMN_W[3], SERVICE_H, `node service health-${healthOf(s)}`, s.name);
      g.setAttribute('data-service', s.name);
      g.append(svg('title', {}, `${s.name}: ${healthOf(s)}, ${s.state}`));
      return g;
    }),
  );
  show(target, picture);
}
