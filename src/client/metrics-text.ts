/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4): what `/metrics`
 * answers. It refuses what Prometheus would refuse and a little more, so a test that reads a
 * scrape with it shows the scrape is well formed: names and labels by the format's grammar,
 * `# TYPE` at most once and before its samples, a family's samples together, no series twice,
 * samples named as their type allows, and histogram buckets that add up.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface MetricSample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: readonly MetricSample[];
}

export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

interface Building {
  name: string;
  type: MetricType;
  help: string;
  samples: MetricSample[];
  /** Whether a sample was read: TYPE must come before. */
  sampled: boolean;
}

function parseValue(text: string, line: number): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new MetricsFormatError(line, `'${text}' is not a number`);
  return Number(text);
}

/** `{a="x",b="y"}` from `start` (at `{`): the labels and where they end. */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (i < text.length && text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new MetricsFormatError(line, 'a label has no "="');
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new MetricsFormatError(line, `'${name}' is not a label name`);
    if (Object.hasOwn(labels, name)) throw new MetricsFormatError(line, `label ${name} is given twice`);
    if (text[eq + 1] !== '"') throw new MetricsFormatError(line, `the value of label ${name} is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] !== '\\') {
        value += text[j];
        continue;
      }
      const escaped = text[++j];
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw new MetricsFormatError(line, `label ${name} has an unknown escape \\${escaped ?? ''}`);
    }
    if (j >= text.length) throw new MetricsFormatError(line, `the value of label ${name} is not closed`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new MetricsFormatError(line, 'labels must be separated by ","');
  }
  if (text[i] !== '}') throw new MetricsFormatError(line, 'the labels are not closed');
  return { labels, end: i + 1 };
}

/** The sample names a family of this type may have. */
function allowedNames(family: Building): readonly string[] {
  const { name, type } = family;
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

function familyOf(sampleName: string, families: ReadonlyMap<string, Building>): Building | undefined {
  for (const suffix of ['', '_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, sampleName.length - suffix.length));
    if (family !== undefined && allowedNames(family).includes(sampleName)) return family;
  }
  return undefined;
}

/** Each histogram series: buckets that never fall, a `+Inf` bucket, and a count equal to it. */
function checkHistogram(family: Building): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new MetricsFormatError(0, `${family.name}: a bucket has no le label`);
      entry.buckets.push([parseValue(le, 0), sample.value]);
    } else if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const { buckets, count } of series.values()) {
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([, value], i) => {
      if (i > 0 && value < (sorted[i - 1]?.[1] ?? 0)) throw new MetricsFormatError(0, `${family.name}: buckets are not cumulative`);
    });
    const inf = sorted.at(-1);
    if (inf === undefined || inf[0] !== Number.POSITIVE_INFINITY) throw new MetricsFormatError(0, `${family.name}: a series has no +Inf bucket`);
    if (count !== inf[1]) throw new MetricsFormatError(0, `${family.name}: _count ${String(count)} differs from the +Inf bucket ${inf[1]}`);
  }
}

/** Reads a whole exposition; throws MetricsFormatError naming the line and the fault. */
export function parseMetricsText(text: string): ReadonlyMap<string, MetricFamily> {
  const families = new Map<string, Building>();
  const seriesSeen = new Set<string>();
  let current: Building | undefined;
  const declare = (name: string, line: number): Building => {
    if (!METRIC_NAME.test(name)) throw new MetricsFormatError(line, `'${name}' is not a metric name`);
    const known = families.get(name);
    if (known !== undefined && known !== current) throw new MetricsFormatError(line, `the samples of ${name} are not together`);
    const family = known ?? { name, type: 'untyped', help: '', samples: [], sampled: false };
    families.set(name, family);
    current = family;
    return family;
  };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '') return;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(content);
    if (meta !== null) {
      const [, keyword, name = '', rest = ''] = meta;
      const family = declare(name, line);
      if (keyword === 'HELP') family.help = rest;
      else {
        if (family.sampled || family.type !== 'untyped') throw new MetricsFormatError(line, `TYPE of ${name} comes twice or after its samples`);
        if (!TYPES.includes(rest)) throw new MetricsFormatError(line, `'${rest}' is not a metric type`);
        family.type = rest as MetricType;
      }
      return;
    }
    if (content.startsWith('#')) return;
    const nameEnd = content.search(/[{\s]/);
    const name = nameEnd === -1 ? content : content.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new MetricsFormatError(line, `'${name}' is not a metric name`);
    let labels: Record<string, string> = {};
    let rest = content.slice(name.length);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(content, name.length, line);
      labels = parsed.labels;
      rest = content.slice(parsed.end);
    }
    const fields = rest.trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '') throw new MetricsFormatError(line, 'a sample is a value and an optional timestamp');
    const family = (current !== undefined && allowedNames(current).includes(name) ? current : familyOf(name, families)) ?? declare(name, line);
    if (family !== current) throw new MetricsFormatError(line, `the samples of ${family.name} are not together`);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seriesSeen.has(series)) throw new MetricsFormatError(line, `series ${name} with these labels comes twice`);
    seriesSeen.add(series);
    family.sampled = true;
    family.samples.push({ name, labels, value: parseValue(fields[0] ?? '', line) });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return new Map([...families].map(([name, { type, help, samples }]) => [name, { name, type, help, samples }]));
}

/** The value of one sample of a family whose labels include `labels`, summed over the series that match. */
export function sampleSum(families: ReadonlyMap<string, MetricFamily>, family: string, sample: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const s of families.get(family)?.samples ?? []) {
    if (s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}
