/** What the scheduler reports about itself (status, the benchmark): snake_case like every wire output. */
export interface HealthStats {
  /** Checks this server runs (its shards' checks). */
  readonly checks: number;
  /** Shards of the check space this server holds (all of them on SQLite). */
  readonly shards: number;
  readonly running: number;
  /** Runs finished since start. */
  readonly runs: number;
  /** 99th percentile of how late runs started against their schedule, over the last runs, in ms. */
  readonly lateness_p99_ms: number;
}

/** The last `size` lateness samples; percentiles are computed on demand. */
export class LatenessWindow {
  readonly #samples: Float64Array;
  #count = 0;
  #next = 0;

  constructor(size = 10_000) {
    this.#samples = new Float64Array(size);
  }

  add(ms: number): void {
    this.#samples[this.#next] = Math.max(0, ms);
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#count = Math.min(this.#count + 1, this.#samples.length);
  }

  /** The `p`th percentile (0–100) of the kept samples, 0 when there are none. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const sorted = this.#samples.slice(0, this.#count).sort();
    const index = Math.min(this.#count - 1, Math.ceil((p / 100) * this.#count) - 1);
    return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
  }
}
