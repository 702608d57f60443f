/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks functions by self time: the time
 * the sampler found the function itself on top of the stack, not its callees.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { projectRoot } from './child.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly functionName: string;
  /** `file:line` relative to the project, or the V8 category such as `(garbage collector)`. */
  readonly location: string;
  readonly selfMs: number;
  readonly percent: number;
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

function locationOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return '';
  const path = frame.url.startsWith('file://') ? relative(projectRoot, new URL(frame.url).pathname) : frame.url;
  // Code that tsx compiled reports its functions on line 1: the file alone is all that is known.
  return frame.lineNumber > 0 ? `${path}:${frame.lineNumber + 1}` : path;
}

/** The `top` functions by self time, with `(idle)` left out so percentages are of busy time. */
export async function topSelfTime(path: string, top = 10): Promise<SelfTime[]> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${path} is not a .cpuprofile`);
  const byId = new Map(parsed.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { functionName: string; location: string; micros: number }>();
  let busy = 0;
  parsed.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = parsed.timeDeltas[i] ?? 0;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    busy += delta;
    const functionName = node.callFrame.functionName || '(anonymous)';
    const location = locationOf(node.callFrame);
    const key = `${functionName}@${location}`;
    const entry = totals.get(key) ?? { functionName, location, micros: 0 };
    entry.micros += delta;
    totals.set(key, entry);
  });
  return [...totals.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top)
    .map((e) => ({ functionName: e.functionName, location: e.location, selfMs: Math.round(e.micros / 100) / 10, percent: Math.round((1000 * e.micros) / Math.max(1, busy)) / 10 }));
}

/** A Markdown table of the ranking. */
export function selfTimeTable(rows: readonly SelfTime[]): string {
  const lines = ['| # | function | where | self ms | % of busy |', '|---|---|---|---:|---:|'];
  rows.forEach((r, i) => lines.push(`| ${i + 1} | \`${r.functionName}\` | ${r.location || '—'} | ${r.selfMs} | ${r.percent} |`));
  return lines.join('\n');
}
