/**
 * The table: one row per figure, the registry beside etcd and the ceiling, the ratios, the
 * issue's target and whether this run met it. Latency rows: a ratio below 1 is better.
 */
import type { BenchContext } from './context.js';
import type { AllFigures, FanoutRun, NotRun, RequestFigures } from './figures.js';
import type { FanoutPlan } from './plan.js';
import { round } from './lib/stats.js';

export interface Row {
  readonly scenario: string;
  readonly unit: string;
  /** A number, or why there is none ("n/a (subscribe not built)"). */
  readonly ours: number | string;
  readonly etcd: number | string | null;
  readonly ceiling: number | string | null;
  readonly target: string;
  /** undefined: no target, or nothing to judge. */
  readonly met: boolean | undefined;
}

type Figures = Partial<AllFigures>;

const ratio = (a: number | string | null, b: number | string | null): number | undefined =>
  typeof a === 'number' && typeof b === 'number' && b !== 0 ? round(a / b, 2) : undefined;

/** The targets: register ≥ 4× etcd's ops/s (p99 no worse), get and resolve ≥ 0.8× the ceiling. */
const REGISTER_VS_ETCD = 4;
const READS_VS_CEILING = 0.8;
/** Idle TLS connection: at most this times the raw ws echo's cost, measured in the same run. */
const IDLE_VS_ECHO = 1.05;

function requestRows(name: string, ours: RequestFigures | undefined, etcd: RequestFigures | undefined, ceiling: RequestFigures | undefined, targets: { ops: string; p99: string }, why: string | undefined): Row[] {
  const value = (f: RequestFigures | undefined, pick: (f: RequestFigures) => number, missing: string | null): number | string | null =>
    f === undefined ? missing : pick(f);
  const mine = (pick: (f: RequestFigures) => number): number | string => value(ours, pick, why ?? 'not run') ?? 'not run';
  const opsMet = (): boolean | undefined => {
    if (ours === undefined || targets.ops === '') return undefined;
    if (name.startsWith('register')) return etcd === undefined ? undefined : ours.opsPerSec >= REGISTER_VS_ETCD * etcd.opsPerSec;
    return ceiling === undefined ? undefined : ours.opsPerSec >= READS_VS_CEILING * ceiling.opsPerSec;
  };
  return [
    { scenario: `${name} throughput`, unit: 'ops/s', ours: mine((f) => f.opsPerSec), etcd: value(etcd, (f) => f.opsPerSec, null), ceiling: value(ceiling, (f) => f.opsPerSec, null), target: targets.ops, met: opsMet() },
    { scenario: `${name} p50`, unit: 'ms', ours: mine((f) => f.p50), etcd: value(etcd, (f) => f.p50, null), ceiling: value(ceiling, (f) => f.p50, null), target: '', met: undefined },
    {
      scenario: `${name} p99`, unit: 'ms', ours: mine((f) => f.p99), etcd: value(etcd, (f) => f.p99, null), ceiling: value(ceiling, (f) => f.p99, null), target: targets.p99,
      met: targets.p99 === '' || ours === undefined || etcd === undefined ? undefined : ours.p99 <= etcd.p99,
    },
    { scenario: `${name} server CPU per op`, unit: 'µs', ours: mine((f) => f.serverCpuUsPerOp), etcd: value(etcd, (f) => f.serverCpuUsPerOp, null), ceiling: value(ceiling, (f) => f.serverCpuUsPerOp, null), target: '', met: undefined },
  ];
}

function listRows(f: Figures, notRun: NotRun): Row[] {
  if (f.list === undefined) return [{ scenario: 'list', unit: '', ours: notRun.list ?? 'not run', etcd: null, ceiling: null, target: '', met: undefined }];
  return f.list.flatMap((l) => [
    { scenario: `list ${l.services.toLocaleString('en')} services p50`, unit: 'ms', ours: l.p50Ms, etcd: f.etcd?.list.services === l.services ? f.etcd.list.p50Ms : null, ceiling: null, target: '', met: undefined },
    { scenario: `list ${l.services.toLocaleString('en')} services size`, unit: 'KB', ours: round(l.bytes / 1000, 1), etcd: null, ceiling: null, target: '', met: undefined },
  ]);
}

/** The fan-out targets by shape: the p99 bound, judged only at the subscriber count it is set for (not in a quick run). */
const FANOUT_TARGETS = { fanout: { subscribers: 1_000, p99Ms: 25 }, 'fanout-wide': { subscribers: 10_000, p99Ms: 50 } } as const;

/** `c`: the same shape against the ceiling's raw broadcast of the registry's event frame. */
function fanoutRows(shape: keyof typeof FANOUT_TARGETS, o: FanoutRun | undefined, e: FanoutRun | undefined, c: FanoutRun | undefined, why: string, plan: FanoutPlan): Row[] {
  const { subscribers } = plan;
  const target = FANOUT_TARGETS[shape].subscribers === subscribers ? FANOUT_TARGETS[shape] : undefined;
  const name = `fan-out ${subscribers.toLocaleString('en')} subscribers × ${plan.ratePerSecond}/s`;
  const p99Target = `≤ ${FANOUT_TARGETS[shape].p99Ms} ms, nothing lost`;
  return [
    { scenario: `${name} p50`, unit: 'ms', ours: o?.p50 ?? why, etcd: e?.p50 ?? null, ceiling: c?.p50 ?? null, target: '', met: undefined },
    { scenario: `${name} p99`, unit: 'ms', ours: o?.p99 ?? why, etcd: e?.p99 ?? null, ceiling: c?.p99 ?? null, target: p99Target, met: o === undefined || target === undefined ? undefined : o.p99 <= target.p99Ms && o.lost === 0 && o.duplicates === 0 },
    { scenario: `${name} max`, unit: 'ms', ours: o?.max ?? why, etcd: e?.max ?? null, ceiling: c?.max ?? null, target: '', met: undefined },
    { scenario: `${name} server CPU per delivery`, unit: 'µs', ours: o?.serverCpuUsPerDelivery ?? why, etcd: e?.serverCpuUsPerDelivery ?? null, ceiling: c?.serverCpuUsPerDelivery ?? null, target: '', met: undefined },
    { scenario: `${name} writes refused`, unit: 'writes', ours: o?.writeErrors ?? why, etcd: e?.writeErrors ?? null, ceiling: null, target: '', met: undefined },
    { scenario: `${name} lost events`, unit: 'events', ours: o?.lost ?? why, etcd: e?.lost ?? null, ceiling: c?.lost ?? null, target: '0', met: o === undefined ? undefined : o.lost === 0 },
  ];
}

function resourceRows(f: Figures, notRun: NotRun, fullSize: boolean): Row[] {
  const c = f.connections;
  const s = f.coldstart;
  const sized = (met: boolean): boolean | undefined => (fullSize ? met : undefined);
  const ipam = f.ipam;
  const ipamWhy = notRun.ipam ?? 'not run';
  return [
    {
      scenario: `idle TLS connection server RSS (${c?.connections.toLocaleString('en') ?? '?'} conns; ceiling: raw ws echo)`, unit: 'KB/conn',
      ours: c === undefined ? (notRun.connections ?? 'not run') : round(c.bytesPerConnection / 1000, 2), etcd: null, ceiling: c === undefined ? null : round(c.echoBytesPerConnection / 1000, 2),
      target: `≤ ${IDLE_VS_ECHO}× echo`, met: c === undefined ? undefined : sized(c.bytesPerConnection <= IDLE_VS_ECHO * c.echoBytesPerConnection),
    },
    { scenario: `cold start, ${s?.services.toLocaleString('en') ?? '?'} services`, unit: 'ms', ours: s?.medianMs ?? notRun.coldstart ?? 'not run', etcd: null, ceiling: null, target: '≤ 2 s (100,000)', met: s === undefined ? undefined : sized(s.medianMs <= 2_000) },
    { scenario: 'cold start, empty store', unit: 'ms', ours: s?.emptyStoreMs ?? notRun.coldstart ?? 'not run', etcd: null, ceiling: null, target: '', met: undefined },
    { scenario: `RSS with ${s?.services.toLocaleString('en') ?? '?'} services`, unit: 'MB', ours: s === undefined ? (notRun.coldstart ?? 'not run') : round(s.rssBytes / 1e6, 1), etcd: null, ceiling: null, target: '≤ 300 MB (100,000)', met: s === undefined ? undefined : sized(s.rssBytes <= 300e6) },
    { scenario: `allocate_ip p50, /8 with ${ipam?.wide.live.toLocaleString('en') ?? '?'} live`, unit: 'ms', ours: ipam?.wide.allocateP50Ms ?? ipamWhy, etcd: null, ceiling: null, target: '', met: undefined },
    { scenario: `allocate_ip p50, /24 with ${ipam?.narrow.live ?? '?'} live`, unit: 'ms', ours: ipam?.narrow.allocateP50Ms ?? ipamWhy, etcd: null, ceiling: null, target: '', met: undefined },
    { scenario: 'allocate_ip in a full /24 (network_exhausted) p50', unit: 'ms', ours: ipam?.exhaustedP50Ms ?? ipamWhy, etcd: null, ceiling: null, target: '', met: undefined },
  ];
}

/** Two servers on PostgreSQL, as rows placed beside the single SQLite server's register and get rows. */
function postgresRows(f: Figures, notRun: NotRun, connections: number): { readonly register: Row[]; readonly get: Row[]; readonly resolve: Row[]; readonly propagation: Row[] } {
  const p = f.postgres;
  const why = notRun.postgres;
  const label = `${p?.servers ?? 2} servers on PostgreSQL`;
  const rows = (op: string, figures: RequestFigures | undefined): Row[] =>
    requestRows(`${op}, ${label} (${connections} conns)`, figures, undefined, undefined, { ops: '', p99: '' }, why);
  const prop = p?.propagation;
  return {
    register: rows('register', p?.register),
    get: [...rows('get_service consistent', p?.get), ...rows('get_service stale', p?.getStale)],
    resolve: [
      ...rows('resolve consistent', p?.resolve),
      ...rows('resolve stale', p?.resolveStale),
      { scenario: `get_service consistent, ${label}: reads per query to PostgreSQL`, unit: 'reads', ours: p?.readsPerQuery ?? why ?? 'not run', etcd: null, ceiling: null, target: '', met: undefined },
    ],
    propagation: [
      { scenario: 'register on one server → event on the other, p50', unit: 'ms', ours: prop?.p50Ms ?? why ?? 'not run', etcd: null, ceiling: null, target: '', met: undefined },
      { scenario: 'register on one server → event on the other, p99', unit: 'ms', ours: prop?.p99Ms ?? why ?? 'not run', etcd: null, ceiling: null, target: '', met: undefined },
    ],
  };
}

/** The health-check row: the scheduler's CPU per check and how late runs start, at the plan's size. */
function healthRows(f: Figures, notRun: NotRun): Row[] {
  const h = f.health;
  const why = notRun.health ?? 'not run';
  const name = h === undefined ? 'HTTP health checks' : `${h.checks.toLocaleString('en')} HTTP checks every ${h.intervalMs / 1000} s`;
  return [
    { scenario: `${name}, server CPU per check`, unit: 'µs', ours: h?.serverCpuUsPerCheck ?? why, etcd: null, ceiling: null, target: '', met: undefined },
    { scenario: `${name}, p99 lateness against schedule`, unit: 'ms', ours: h?.latenessP99Ms ?? why, etcd: null, ceiling: null, target: '', met: undefined },
    { scenario: `${name}, runs / runs due`, unit: '', ours: h === undefined ? why : `${h.runs.toLocaleString('en')} / ${h.expectedRuns.toLocaleString('en')}`, etcd: null, ceiling: null, target: '', met: undefined },
  ];
}

/** The DNS interface; its `ceiling` column is NSD answering the same names from a zone file (n/a when NSD could not run). */
function dnsRows(f: Figures, notRun: NotRun, inFlight: number): Row[] {
  const d = f.dns;
  const nsd = d?.nsdVersion === undefined ? 'NSD' : `NSD ${d.nsdVersion}`;
  const name = `DNS A over UDP, ${d?.services.toLocaleString('en') ?? '?'} names (${inFlight} in flight; ceiling: ${nsd} from a zone file)`;
  const rows = requestRows(name, d?.registry, undefined, d?.nsd, { ops: '', p99: '' }, d === undefined ? notRun.dns : undefined);
  return d !== undefined && d.nsd === undefined && notRun.dns !== undefined ? rows.map((r) => ({ ...r, ceiling: notRun.dns ?? null })) : rows;
}

/** The compiled CLI, spawn to exit: the operator's wait for `registry --version` and `registry list`. */
function cliRows(f: Figures, notRun: NotRun): Row[] {
  const c = f.cli;
  const why = notRun.cli ?? 'not run';
  const runs = c?.runs ?? 10;
  return [
    { scenario: `CLI registry --version, median of ${runs}`, unit: 'ms', ours: c?.versionMedianMs ?? why, etcd: null, ceiling: null, target: '≤ 250 ms', met: c === undefined ? undefined : c.versionMedianMs <= 250 },
    {
      scenario: `CLI registry list (${c?.services ?? '?'} services) against a running server, median of ${runs}`, unit: 'ms', ours: c?.listMedianMs ?? why, etcd: null, ceiling: null, target: '≤ 400 ms',
      met: c === undefined ? undefined : c.listMedianMs <= 400,
    },
  ];
}

/** Rows of scenarios that did not run at all (nothing measured on any side) are left out. */
const measured = (r: Row): boolean => r.ours !== 'not run' || r.etcd !== null || r.ceiling !== null;

export function buildRows(ctx: BenchContext): Row[] {
  const f = ctx.results;
  const c = ctx.plan.connections;
  const fullSize = ctx.plan.mode === 'full';
  const cluster = postgresRows(f, ctx.notRun, c);
  const rows: Row[] = [
    ...requestRows(`register (${c} conns)`, f.register, f.etcd?.put, f.ceiling?.register, { ops: `≥ ${REGISTER_VS_ETCD}× etcd`, p99: '≤ etcd' }, ctx.notRun.register),
    ...cluster.register,
    ...requestRows(`get_service (${c} conns)`, f.get, f.etcd?.range, f.ceiling?.get, { ops: `≥ ${READS_VS_CEILING}× ceiling`, p99: '' }, ctx.notRun.get),
    ...cluster.get,
    ...cluster.propagation,
    ...requestRows(`resolve (${c} conns)`, f.resolve, f.etcd?.range, f.ceiling?.resolve, { ops: `≥ ${READS_VS_CEILING}× ceiling`, p99: '' }, ctx.notRun.resolve),
    ...cluster.resolve,
    ...listRows(f, ctx.notRun),
    ...fanoutRows('fanout', f.fanout, f.etcd?.watch, f.ceiling?.fanout, ctx.notRun.fanout ?? 'not run', ctx.plan.fanout),
    ...fanoutRows('fanout-wide', f['fanout-wide'], undefined, f.ceiling?.['fanout-wide'], ctx.notRun['fanout-wide'] ?? 'not run', ctx.plan.fanoutWide),
    ...resourceRows(f, ctx.notRun, fullSize),
    ...healthRows(f, ctx.notRun),
    ...dnsRows(f, ctx.notRun, c),
    ...cliRows(f, ctx.notRun),
  ];
  return rows.filter(measured);
}

const show = (v: number | string | null | undefined): string =>
  v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en', { maximumFractionDigits: v < 10 ? 2 : 1 }) : v;

/** The Markdown table of the rows. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    '| scenario | unit | ours | etcd | ceiling | ours/etcd | ours/ceiling | target | met? |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const met = r.met === undefined ? (r.target === '' ? '' : '—') : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.scenario} | ${r.unit} | ${show(r.ours)} | ${show(r.etcd)} | ${show(r.ceiling)} | ${show(ratio(r.ours, r.etcd))} | ${show(ratio(r.ours, r.ceiling))} | ${r.target} | ${met} |`);
  }
  return lines.join('\n');
}

/** The rows with their ratios, for the JSON file. */
export const rowsWithRatios = (rows: readonly Row[]) =>
  rows.map((r) => ({ ...r, oursOverEtcd: ratio(r.ours, r.etcd) ?? null, oursOverCeiling: ratio(r.ours, r.ceiling) ?? null }));
