/** Knobs tests may turn; production uses the defaults. */
export interface PostgresTuning {
  /** The most writes one transaction takes; the rest wait for the next one. */
  readonly maxBatchWrites: number;
  /** A write function that has not settled after this long is failed (it holds the write lock). */
  readonly writeTimeoutMs: number;
  /** How often the journal is read even without a notification (a safety net for lost ones). */
  readonly pollMs: number;
  /** How many commits the journal keeps for servers catching up; one further behind reloads everything. */
  readonly journalRetention: number;
  /** Pooled connections for writes and event reads (the LISTEN session is one more). */
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  /** Runs of a batch after a serialisation failure or deadlock before it fails with `conflict`. */
  readonly maxAttempts: number;
  /** The journal is pruned on every this-many-th commit, not on each. */
  readonly journalPruneEvery: number;
  /** LISTEN for other servers' commits; off only in tests of the journal fallback (polls and writes still catch up). */
  readonly listen: boolean;
  /** A consistent read that cannot confirm this server is current within this long answers `unavailable`. */
  readonly readTimeoutMs: number;
  /**
   * Consistent reads share one query for the last commit, one in flight at a time; with this above
   * 0, a busy server also waits this long between the starts of two (fewer queries, slower reads).
   */
  readonly readRoundMs: number;
}

export const DEFAULT_POSTGRES_TUNING: PostgresTuning = Object.freeze({
  maxBatchWrites: 1_000,
  writeTimeoutMs: 5_000,
  pollMs: 1_000,
  journalRetention: 10_000,
  poolSize: 4,
  connectTimeoutMs: 5_000,
  maxAttempts: 3,
  journalPruneEvery: 100,
  listen: true,
  readTimeoutMs: 5_000,
  readRoundMs: 0,
});
