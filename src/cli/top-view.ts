/**
 * What `registry top` shows, worked out from what it holds (services kept current by events, the
 * event times of the last seconds, two scrapes of /metrics): pure, so the screen is a function of
 * the state. Strings from the server are escaped before they reach the terminal.
 */
import { type MetricFamily, sampleSum } from '../client/index.js';
import type { ServiceWire } from '../domain/index.js';
import { formatAge, formatTable } from './format.js';
import { terminalSafe } from './terminal-text.js';

type Families = ReadonlyMap<string, MetricFamily>;

/** Worst first. */
const HEALTH_ORDER = ['critical', 'warning', 'passing'] as const;
export type ShownHealth = (typeof HEALTH_ORDER)[number];

/** A service's health as top shows it: the worst of its TTL and its checks. */
export function healthOf(service: ServiceWire): ShownHealth {
  const statuses = [service.health?.status, ...(service.checks ?? []).map((check) => check.status)];
  for (const status of HEALTH_ORDER) if (statuses.includes(status)) return status;
  return service.is_active ? 'passing' : 'critical';
}

export interface TopState {
  readonly url: string;
  readonly services: ReadonlyMap<string, ServiceWire>;
  /** When each event of the window arrived (ms). */
  readonly eventTimes: readonly number[];
  readonly windowMs: number;
  /** The scrape before the last one and the last, with when they were taken; undefined until there are two. */
  readonly previous?: { readonly at: number; readonly families: Families };
  readonly latest?: { readonly at: number; readonly families: Families };
  /** Why the stream or the scrape is not current, when it is not. */
  readonly trouble?: string;
  readonly now: number;
}

const sum = (families: Families | undefined, family: string, sample: string, labels: Record<string, string> = {}): number =>
  families === undefined ? 0 : sampleSum(families, family, sample, labels);

/** The bucket below which `fraction` of the observations between two scrapes fell (an upper bound of that percentile). */
function percentileBound(before: Families | undefined, after: Families, family: string, fraction: number): number | undefined {
  const buckets = new Map<number, number>();
  for (const [families, sign] of [[after, 1], [before, -1]] as const) {
    for (const s of families?.get(family)?.samples ?? []) {
      if (s.name !== `${family}_bucket`) continue;
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + sign * s.value);
    }
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  return sorted.find(([, count]) => count >= total * fraction)?.[0];
}

const ms = (seconds: number): string => (seconds === Number.POSITIVE_INFINITY ? '> 10 s' : seconds < 0.001 ? `${(seconds * 1000).toFixed(2)} ms` : `${(seconds * 1000).toFixed(1)} ms`);
const rate = (count: number, seconds: number): string => (seconds > 0 ? (count / seconds).toFixed(1) : '0.0');

/** The lines about the server: revision, rates, connections, commit latency. */
function summaryLines(state: TopState): string[] {
  const { latest, previous } = state;
  const now = latest?.families;
  const before = previous?.families;
  const span = latest !== undefined && previous !== undefined ? (latest.at - previous.at) / 1000 : 0;
  const delta = (family: string, sample: string) => sum(now, family, sample) - sum(before, family, sample);
  const events = state.eventTimes.filter((t) => t > state.now - state.windowMs).length;
  const commits = delta('registry_store_commit_duration_seconds', 'registry_store_commit_duration_seconds_count');
  const commitSeconds = delta('registry_store_commit_duration_seconds', 'registry_store_commit_duration_seconds_sum');
  const p99 = now === undefined ? undefined : percentileBound(before, now, 'registry_store_commit_duration_seconds', 0.99);
  const open = (transport: string) => sum(now, 'registry_open_connections', 'registry_open_connections', { transport });
  const subscriptions = sum(now, 'registry_subscriptions', 'registry_subscriptions');
  const latency = commits > 0 ? `avg ${ms(commitSeconds / commits)}, p99 ≤ ${p99 === undefined ? '-' : ms(p99)}` : 'no commits';
  return [
    `registry top  ${terminalSafe(state.url)}  revision ${sum(now, 'registry_revision', 'registry_revision')}  ${new Date(state.now).toISOString().slice(11, 19)}Z`,
    `events ${rate(events, state.windowMs / 1000)}/s   requests ${rate(delta('registry_requests_total', 'registry_requests_total'), span)}/s   connections ${open('websocket')} ws, ${open('sse')} sse   subscriptions ${subscriptions}`,
    `commits ${rate(commits, span)}/s   commit latency ${latency}`,
  ];
}

/** The whole screen, cut to `rows` lines and `columns` characters. */
export function renderTop(state: TopState, rows: number, columns: number): string[] {
  const services = [...state.services.values()];
  const counts = HEALTH_ORDER.map((health) => `${services.filter((s) => healthOf(s) === health).length} ${health}`).join(', ');
  const sorted = services.sort((a, b) => HEALTH_ORDER.indexOf(healthOf(a)) - HEALTH_ORDER.indexOf(healthOf(b)) || a.name.localeCompare(b.name));
  const table = formatTable(
    ['HEALTH', 'NAME', 'STATE', 'ACTIVE', 'ADDRESS', 'LAST SEEN'],
    sorted.map((s) => [healthOf(s), s.name, s.state, s.is_active ? 'yes' : 'no', `${s.host}:${s.port}`, formatAge(s.last_seen === undefined ? undefined : s.last_seen * 1000, state.now)]),
  ).split('\n');
  const head = [...summaryLines(state), state.trouble === undefined ? '' : `! ${terminalSafe(state.trouble)}`, `services ${services.length}: ${counts}`];
  const footer = 'q or Ctrl-C quits';
  const room = Math.max(1, rows - head.length - 1);
  const shown = table.length > room ? [...table.slice(0, room - 1), `… ${table.length - room} more`] : table;
  return [...head, ...shown, footer].slice(0, rows).map((line) => (line.length > columns ? line.slice(0, columns) : line));
}
