/** Latency summaries: every figure in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Sorts a copy of the samples and reads the percentiles off it (nearest rank). */
export function summarise(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const count = sorted.length;
  if (count === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  let total = 0;
  for (const value of sorted) total += value;
  const at = (q: number): number => sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))] ?? Number.NaN;
  return { count, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[count - 1] ?? Number.NaN), mean: round(total / count) };
}

/** Concatenates the sample arrays of several workers. */
export function concatSamples(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Three significant decimals are plenty for milliseconds and ratios. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A growable sample buffer that avoids one allocation per sample. */
export class SampleBuffer {
  private data: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private size = 0;

  push(value: number): void {
    if (this.size === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  /** A compact copy, suitable for transfer to another thread. */
  take(): Float64Array<ArrayBuffer> {
    return this.data.slice(0, this.size);
  }
}

/** A clock shared by threads and processes of this machine, in milliseconds with a fraction. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
