/**
 * The server's Prometheus metrics (prom-client), one registry per server so that several servers
 * in one process (tests) keep their own. Everything is named under `registry_` with units in the
 * name and base units (seconds), counters ending in `_total`. The feeders call the small methods
 * below with what the operations, the store and the hosted schedulers produced; gauges are read
 * at scrape time from `MetricsSources`. Nothing here reaches into a store or a rule.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CheckKind, CheckVerdict, CommittedEvent, ErrorCode } from '../domain/index.js';
import { processMetrics } from './process-metrics.js';

/** The prefix of every metric name. */
export const METRIC_PREFIX = 'registry_';

/** Latency buckets in seconds: 0.25 ms to 10 s. */
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];
const CHECK_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One configured IP network as `list_networks` answers it. */
export interface PoolUse {
  readonly name: string;
  /** Decimal string: an IPv6 block holds more than 2^53. */
  readonly capacity: string;
  readonly allocated: number;
}

/** What a scrape reads from the running server. */
export interface MetricsSources {
  /** Open connections by transport: WebSocket sessions and Server-Sent Events streams. */
  connections(): { readonly websocket: number; readonly sse: number };
  /** Open event subscriptions by transport. */
  subscriptions(): { readonly websocket: number; readonly sse: number };
  /** The last committed revision. */
  revision(): number;
  /** The configured networks and their use (the `list_networks` operation). */
  pools(): Promise<readonly PoolUse[]>;
}

/** How a request ended: `ok` or its error code. */
export type RequestOutcome = 'ok' | ErrorCode;
export type DeploymentOutcome = 'succeeded' | 'failed' | 'rolled_back';

export class RegistryMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources | undefined;
  private readonly requests: Counter<'operation' | 'dialect' | 'outcome'>;
  private readonly requestSeconds: Histogram<'operation' | 'dialect'>;
  private readonly events: Counter<'type'>;
  private readonly deliveryLag: Histogram;
  private readonly batchWrites: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly storeErrors: Counter<'code'>;
  private readonly ttlExpiries: Counter;
  private readonly checks: Counter<'kind' | 'result'>;
  private readonly checkSeconds: Histogram<'kind'>;
  private readonly deployments: Counter<'kind' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    const name = (text: string): string => `${METRIC_PREFIX}${text}`;
    this.requests = new Counter({ name: name('requests_total'), help: 'Requests run, by operation, dialect and outcome (ok or the error code).', labelNames: ['operation', 'dialect', 'outcome'], registers });
    this.requestSeconds = new Histogram({ name: name('request_duration_seconds'), help: 'Time from a decoded request to its answer, by operation and dialect.', labelNames: ['operation', 'dialect'], buckets: LATENCY_BUCKETS, registers });
    this.events = new Counter({ name: name('events_total'), help: 'Committed events this server published, by type (with PostgreSQL, every server\'s).', labelNames: ['type'], registers });
    this.deliveryLag = new Histogram({ name: name('event_delivery_lag_seconds'), help: 'Time from an event\'s commit to its hand-off to the subscribed connections.', buckets: LATENCY_BUCKETS, registers });
    this.batchWrites = new Histogram({ name: name('store_batch_writes'), help: 'Writes committed together in one group commit.', buckets: BATCH_BUCKETS, registers });
    this.commitSeconds = new Histogram({ name: name('store_commit_duration_seconds'), help: 'Time one group commit took, from its first write function to COMMIT.', buckets: LATENCY_BUCKETS, registers });
    this.storeErrors = new Counter({ name: name('store_errors_total'), help: 'Group commits the storage failed (a full disk, a removed file, an unreachable database), by error code.', labelNames: ['code'], registers });
    this.ttlExpiries = new Counter({ name: name('ttl_expiries_total'), help: 'Registrations whose TTL ran out, as this server\'s sweeps marked them.', registers });
    this.checks = new Counter({ name: name('health_checks_total'), help: 'Health-check runs on this server, by kind and result (pass, warn, fail).', labelNames: ['kind', 'result'], registers });
    this.checkSeconds = new Histogram({ name: name('health_check_duration_seconds'), help: 'Time one health-check probe took, by kind.', labelNames: ['kind'], buckets: CHECK_BUCKETS, registers });
    this.deployments = new Counter({ name: name('deployments_total'), help: 'Deployments and rollbacks this server ran, by kind and outcome.', labelNames: ['kind', 'outcome'], registers });
    this.defineGauges(name, registers);
  }

  /** Where scrapes read the gauges from; until then they read as zero. */
  attach(sources: MetricsSources): void {
    this.sources = sources;
  }

  request(operation: string, dialect: string, outcome: RequestOutcome, seconds: number): void {
    this.requests.inc({ operation, dialect, outcome });
    this.requestSeconds.observe({ operation, dialect }, seconds);
  }

  committed(events: readonly CommittedEvent[]): void {
    for (const event of events) this.events.inc({ type: event.type });
  }

  delivered(lagSeconds: number): void {
    this.deliveryLag.observe(Math.max(0, lagSeconds));
  }

  batch(writes: number, seconds: number): void {
    this.batchWrites.observe(writes);
    this.commitSeconds.observe(seconds);
  }

  storeError(code: ErrorCode): void {
    this.storeErrors.inc({ code });
  }

  expired(count: number): void {
    if (count > 0) this.ttlExpiries.inc(count);
  }

  checkRun(kind: CheckKind, verdict: CheckVerdict, seconds: number): void {
    this.checks.inc({ kind, result: verdict });
    this.checkSeconds.observe({ kind }, seconds);
  }

  deployment(kind: 'deploy' | 'rollback', outcome: DeploymentOutcome): void {
    this.deployments.inc({ kind, outcome });
  }

  /** The exposition text: this server's metrics, then the process's. */
  async render(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private defineGauges(name: (text: string) => string, registers: Registry[]): void {
    const sources = (): MetricsSources | undefined => this.sources;
    const byTransport = (suffix: string, help: string, read: (from: MetricsSources) => { readonly websocket: number; readonly sse: number }): void =>
      void new Gauge({
        name: name(suffix),
        help,
        labelNames: ['transport'],
        registers,
        collect() {
          const from = sources();
          const open = from === undefined ? { websocket: 0, sse: 0 } : read(from);
          this.set({ transport: 'websocket' }, open.websocket);
          this.set({ transport: 'sse' }, open.sse);
        },
      });
    byTransport('open_connections', 'Open client connections, by transport (websocket, sse).', (from) => from.connections());
    byTransport('subscriptions', 'Open event subscriptions, by transport (websocket, sse).', (from) => from.subscriptions());
    new Gauge({
      name: name('revision'),
      help: 'The last committed revision.',
      registers,
      collect() {
        this.set(sources()?.revision() ?? 0);
      },
    });
    this.definePoolGauges(name, registers);
  }

  /** Each pool gauge reads `list_networks` itself: prom-client collects the gauges of a scrape at once, in no set order. */
  private definePoolGauges(name: (text: string) => string, registers: Registry[]): void {
    const sources = (): MetricsSources | undefined => this.sources;
    const poolGauge = (suffix: string, help: string, value: (pool: PoolUse) => number): void =>
      void new Gauge({
        name: name(suffix),
        help,
        labelNames: ['network'],
        registers,
        // Reset first: a network taken out of the configuration leaves the series.
        async collect() {
          const pools = (await sources()?.pools()) ?? [];
          this.reset();
          for (const pool of pools) this.set({ network: pool.name }, value(pool));
        },
      });
    poolGauge('ip_pool_addresses', 'Addresses each configured IP network may hand out (its block less network, broadcast, gateway and reserved).', (pool) => Number(pool.capacity));
    poolGauge('ip_pool_allocated_addresses', 'Addresses held in each configured IP network.', (pool) => pool.allocated);
  }
}
