/**
 * The scale table: each figure at every size of the run, then how it grew from one size to the
 * next (a ratio of 1 means it did not grow with the registry; 10 means it grew as fast). Targets
 * are set for 1,000,000 services and judged only when the run had that size.
 */
import type { ScaleFigures, ScaleStep } from './figures.js';
import { round } from './lib/stats.js';

export interface ScaleRow {
  readonly figure: string;
  readonly unit: string;
  /** One value per size, in the order of the run's sizes; a string says why there is none. */
  readonly values: readonly (number | string)[];
  /** value[i] / value[i - 1], for i ≥ 1. */
  readonly growth: readonly (number | null)[];
  readonly target: string;
  readonly met: boolean | undefined;
}

/** The size the targets are set for. */
const TARGET_SERVICES = 1_000_000;

interface Figure {
  readonly figure: string;
  readonly unit: string;
  readonly pick: (s: ScaleStep) => number | string;
  readonly target?: { readonly text: string; readonly met: (v: number) => boolean };
}

const figures: readonly Figure[] = [
  { figure: 'register throughput', unit: 'ops/s', pick: (s) => s.register.opsPerSec },
  { figure: 'register p99', unit: 'ms', pick: (s) => s.register.p99 },
  { figure: 'get_service throughput', unit: 'ops/s', pick: (s) => s.get.opsPerSec },
  { figure: 'get_service p99', unit: 'ms', pick: (s) => s.get.p99 },
  { figure: 'list_services first page (limit 100) p50', unit: 'ms', pick: (s) => s.listFirstPage.p50Ms, target: { text: '≤ 10 ms (1,000,000)', met: (v) => v <= 10 } },
  { figure: 'cold start (spawn → /healthz 200)', unit: 'ms', pick: (s) => s.coldStartMs, target: { text: '≤ 8 s (1,000,000)', met: (v) => v <= 8_000 } },
  { figure: 'RSS once serving', unit: 'MB', pick: (s) => round(s.rssBytes / 1e6, 1), target: { text: '≤ 1.5 GB (1,000,000)', met: (v) => v <= 1_500 } },
  { figure: 'seeding through the store', unit: 'ms', pick: (s) => s.seedMs },
];

export function scaleRows(scale: ScaleFigures | undefined): ScaleRow[] {
  if (scale === undefined || scale.steps.length === 0) return [];
  const atTarget = scale.steps.find((s) => s.services === TARGET_SERVICES);
  return figures.map((f) => {
    const values = scale.steps.map(f.pick);
    const growth = values.slice(1).map((v, i) => {
      const before = values[i];
      return typeof v === 'number' && typeof before === 'number' && before !== 0 ? round(v / before, 2) : null;
    });
    const judged = atTarget === undefined || f.target === undefined ? undefined : f.pick(atTarget);
    return { figure: f.figure, unit: f.unit, values, growth, target: f.target?.text ?? '', met: typeof judged === 'number' && f.target !== undefined ? f.target.met(judged) : undefined };
  });
}

const show = (v: number | string | null | undefined): string =>
  v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en', { maximumFractionDigits: v < 10 ? 2 : 1 }) : v;

const shortSize = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** The Markdown table: a column per size, then a growth column per step between sizes. */
export function scaleTable(scale: ScaleFigures | undefined): string | undefined {
  const rows = scaleRows(scale);
  const sizes = scale?.steps.map((s) => s.services) ?? [];
  if (rows.length === 0) return undefined;
  const growthHeads = sizes.slice(1).map((n, i) => `${shortSize(n)}/${shortSize(sizes[i] ?? 0)}`);
  const head = ['figure', 'unit', ...sizes.map((n) => shortSize(n)), ...growthHeads, 'target', 'met?'];
  const lines = [`| ${head.join(' | ')} |`, `|---|---|${[...sizes, ...growthHeads].map(() => '---:').join('|')}|---|---|`];
  for (const r of rows) {
    const met = r.met === undefined ? (r.target === '' ? '' : '—') : r.met ? 'yes' : '**no**';
    lines.push(`| ${[r.figure, r.unit, ...r.values.map(show), ...r.growth.map(show), r.target, met].join(' | ')} |`);
  }
  return lines.join('\n');
}
