import {
  type CheckResult,
  checkShard,
  type CheckStatus,
  type CommittedEvent,
  eventServiceName,
  NO_COUNTS,
  observe,
  type Service,
} from '../domain/index.js';
import { definitionText, type Entry, EntryTable } from './entries.js';
import { type HealthSchedulerOptions, type ResolvedHealthOptions, resolveHealthOptions } from './options.js';
import { runProbe } from './probe.js';
import { recordRun } from './record.js';
import { ShardOwnership } from './shards.js';
import { type HealthStats, LatenessWindow } from './stats.js';
import { TimerQueue } from './timer-queue.js';

/** What one run did, for `runNow` callers. */
export interface RunReport {
  readonly result: CheckResult;
  readonly from: CheckStatus;
  readonly to: CheckStatus;
  readonly transitioned: boolean;
  readonly deregistered: boolean;
}


/**
 * Runs the checks of the shards this server holds. Each check keeps a fixed schedule whose
 * phase is spread at random over its interval; runs take a slot of a bounded pool and end at
 * their timeout; a check whose previous run still goes skips its turn, so it never runs twice
 * at once. Status changes and deregistrations are written through the store (see record.ts).
 */
export class HealthScheduler implements AsyncDisposable {
  readonly closed: Promise<void | Error>;
  readonly #options: ResolvedHealthOptions;
  readonly #entries: EntryTable;
  readonly #queue = new TimerQueue();
  #ready: { readonly at: number; readonly key: string }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #active = 0;
  readonly #runningByShard = new Map<number, number>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  readonly #lateness = new LatenessWindow();
  readonly #ownership: ShardOwnership;
  #runs = 0;
  #pending: Set<string> | undefined;
  #stopCommits: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #markClosed: (reason: void | Error) => void = () => undefined;

  constructor(options: HealthSchedulerOptions) {
    this.#options = resolveHealthOptions(options);
    this.#entries = new EntryTable(this.#options.shards);
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    const { store, shards, heartbeatMs, logger } = this.#options;
    this.#ownership = new ShardOwnership({
      claims: store.shardClaims,
      count: shards,
      heartbeatMs,
      busy: (shard) => (this.#runningByShard.get(shard) ?? 0) > 0,
      changed: () => this.#sync(undefined, 'spread'),
      onError: (err) => logger.warn({ err }, 'health shard heartbeat failed'),
    });
  }

  /** Takes this server's shards, schedules their checks, and follows every commit from then on. */
  async start(): Promise<void> {
    await this.#ownership.start();
    if (this.#closing !== undefined) return;
    this.#stopCommits = this.#options.store.onCommit((events) => this.#noteChanged(events));
    this.#sync(undefined, 'spread');
  }

  stats(): HealthStats {
    return {
      checks: this.#entries.size,
      shards: this.#ownership.size,
      running: this.#active,
      runs: this.#runs,
      lateness_p99_ms: this.#lateness.percentile(99),
    };
  }

  /**
   * Runs one check now, as its timer would (whatever the shard), and resolves with what it did;
   * undefined when the check does not exist or a run of it is still going.
   */
  async runNow(service: string, check: string): Promise<RunReport | undefined> {
    const current = this.#options.store.services.get(service)?.checks?.find((c) => c.name === check);
    if (current === undefined || this.#closing !== undefined) return undefined;
    const entry = this.#entries.get(EntryTable.keyOf(service, check)) ?? this.#entries.add(service, current);
    if (entry.running) return undefined;
    return this.#start(entry);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    this.#stopCommits?.();
    clearTimeout(this.#timer);
    this.#queue.clear();
    this.#ready = [];
    this.#abort.abort();
    let reason: Error | undefined;
    try {
      await Promise.allSettled([...this.#inFlight]);
      await this.#ownership.close();
    } catch (error) {
      reason = error instanceof Error ? error : new Error(String(error));
    }
    this.#markClosed(reason);
  }

  /** Services named by committed events are looked at again, together, on the next turn. */
  #noteChanged(events: readonly CommittedEvent[]): void {
    const first = this.#pending === undefined;
    this.#pending ??= new Set();
    for (const event of events) {
      const name = event.type === 'IpAllocated' || event.type === 'IpReleased' ? undefined : eventServiceName(event);
      if (name !== undefined) this.#pending.add(name);
    }
    if (first) {
      setImmediate(() => {
        const names = this.#pending;
        this.#pending = undefined;
        if (names !== undefined && names.size > 0) this.#sync(names, 'soon');
      });
    }
  }

  /** Brings the entries in line with the store for some services (undefined: all of them). */
  #sync(names: Iterable<string> | undefined, mode: 'spread' | 'soon'): void {
    if (this.#closing !== undefined) return;
    const { services } = this.#options.store;
    if (names === undefined) {
      for (const service of services.list()) this.#syncService(service.name, service, mode);
      // Services gone from the store: only those with tracked checks have anything to drop.
      for (const name of this.#entries.services()) if (services.get(name) === undefined) this.#syncService(name, undefined, mode);
    } else {
      for (const name of names) this.#syncService(name, services.get(name), mode);
    }
    this.#arm();
  }

  #syncService(name: string, service: Service | undefined, mode: 'spread' | 'soon'): void {
    // Most services have no checks: nothing to add or drop, and no allocation (a million of them at start).
    if ((service?.checks === undefined || service.checks.length === 0) && !this.#entries.tracks(name)) return;
    const wanted = new Set<string>();
    for (const check of service?.checks ?? []) {
      const shard = checkShard(name, check.name, this.#options.shards);
      if (!this.#ownership.runs(shard) || (check.kind === 'script' && !this.#options.allowScripts)) continue;
      const key = EntryTable.keyOf(name, check.name);
      wanted.add(key);
      const existing = this.#entries.get(key);
      if (existing === undefined) this.#schedule(this.#entries.add(name, check), this.#firstDelay(check.intervalMs, mode), mode === 'soon' ? 'rephase' : 'keep');
      else if (existing.definition !== definitionText(check)) {
        existing.definition = definitionText(check);
        existing.intervalMs = check.intervalMs;
        existing.counters = NO_COUNTS;
        this.#schedule(existing, this.#firstDelay(check.intervalMs, 'soon'), 'rephase');
      }
    }
    for (const key of this.#entries.keysOf(name)) if (!wanted.has(key)) this.#entries.remove(key);
  }

  /**
   * A fresh check runs within a second (and then takes a random phase); the checks a server
   * starts with or takes over are spread over half their interval.
   */
  #firstDelay(intervalMs: number, mode: 'spread' | 'soon'): number {
    const span = mode === 'soon' ? Math.min(intervalMs / 2, 1_000) : intervalMs / 2;
    return Math.random() * span;
  }

  #schedule(entry: Entry, delayMs: number, phase: 'keep' | 'rephase'): void {
    entry.token += 1;
    entry.rephase = phase === 'rephase';
    this.#queue.push({ at: performance.now() + delayMs, key: entry.key, token: entry.token });
  }

  /** One timer, for the earliest due check. */
  #arm(): void {
    const top = this.#queue.peek();
    if (top === undefined || this.#closing !== undefined) return;
    if (this.#timer !== undefined && this.#timerAt <= top.at) return;
    clearTimeout(this.#timer);
    this.#timerAt = top.at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, top.at - performance.now()));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    for (let top = this.#queue.peek(); top !== undefined && top.at <= now; top = this.#queue.peek()) {
      this.#queue.pop();
      const entry = this.#entries.get(top.key);
      if (entry === undefined || entry.token !== top.token) continue;
      // Fixed rate: the next turn keeps the phase; a server that fell a whole interval behind skips ahead.
      const fixed = top.at + entry.intervalMs > now ? top.at + entry.intervalMs : now + entry.intervalMs;
      const next = entry.rephase ? now + entry.intervalMs * (0.5 + Math.random()) : fixed;
      entry.rephase = false;
      entry.token += 1;
      this.#queue.push({ at: next, key: entry.key, token: entry.token });
      if (entry.running || entry.queued || !this.#ownership.runs(entry.shard)) continue;
      entry.queued = true;
      this.#ready.push({ at: top.at, key: entry.key });
    }
    this.#pump();
    this.#arm();
  }

  /** Starts waiting runs while slots are free; lateness is counted from the scheduled time. */
  #pump(): void {
    while (this.#active < this.#options.maxConcurrent && this.#ready.length > 0 && this.#closing === undefined) {
      const item = this.#ready.shift();
      const entry = item === undefined ? undefined : this.#entries.get(item.key);
      if (item === undefined || entry === undefined || !entry.queued) continue;
      entry.queued = false;
      if (entry.running || !this.#ownership.runs(entry.shard)) continue;
      this.#lateness.add(performance.now() - item.at);
      void this.#start(entry);
    }
  }

  #start(entry: Entry): Promise<RunReport | undefined> {
    entry.running = true;
    this.#active += 1;
    this.#runningByShard.set(entry.shard, (this.#runningByShard.get(entry.shard) ?? 0) + 1);
    const run = this.#execute(entry)
      .catch((err: unknown) => {
        this.#options.logger.warn({ err, service: entry.service, check: entry.check }, 'health check run failed');
        return undefined;
      })
      .finally(() => {
        entry.running = false;
        this.#active -= 1;
        this.#runningByShard.set(entry.shard, (this.#runningByShard.get(entry.shard) ?? 1) - 1);
        this.#runs += 1;
        this.#inFlight.delete(run);
        this.#pump();
      });
    this.#inFlight.add(run);
    return run;
  }

  /** Probe, judge against the thresholds with the status the store holds now, and record. */
  async #execute(entry: Entry): Promise<RunReport | undefined> {
    const { store, clock, userAgent } = this.#options;
    const service = store.services.get(entry.service);
    const check = service?.checks?.find((c) => c.name === entry.check);
    if (service === undefined || check === undefined) return undefined;
    if (definitionText(check) !== entry.definition) {
      entry.definition = definitionText(check);
      entry.counters = NO_COUNTS;
    }
    const result = await runProbe(check, service, { userAgent, now: () => clock.now(), signal: this.#abort.signal });
    if (this.#abort.signal.aborted) return undefined;
    this.#options.onRun({ kind: check.kind, verdict: result.verdict, durationMs: result.durationMs });
    const current = store.services.get(entry.service)?.checks?.find((c) => c.name === entry.check);
    // Changed while it ran: this result speaks for a definition that is gone.
    if (current === undefined || definitionText(current) !== entry.definition) return undefined;
    const observed = observe(current.status, entry.counters, result.verdict, current);
    entry.counters = observed.counters;
    const record = await recordRun(this.#options, entry.service, entry.check, current.status, observed.status, result.output);
    return { result, from: current.status, to: observed.status, ...record };
  }
}
