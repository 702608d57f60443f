/** What each scenario measured, typed: the table and the JSON file are built from these. */
import type { FanoutFigures } from './fanout/run-fanout.js';
import type { LoadFigures } from './load/run-load.js';

/** Fan-out figures with the server's CPU time per delivered event (user + system, microseconds). */
export type FanoutRun = FanoutFigures & { readonly serverCpuUsPerDelivery: number };

export interface RequestFigures extends LoadFigures {
  /** CPU time of the server process (user + system) per answered request, in microseconds. */
  readonly serverCpuUsPerOp: number;
}

export interface ListFigures {
  readonly services: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  readonly bytes: number;
  readonly samples: number;
  /** The server's RSS after the lists. */
  readonly rssBytes: number;
}

export interface ConnectionFigures {
  readonly connections: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly bytesPerConnection: number;
  /** The raw ws echo server (same TLS certificate and options) holding the same number of idle connections, measured the same way in the same run. */
  readonly echoBytesPerConnection: number;
  /** What the client side spent per connection (the holders' RSS), for scale. */
  readonly clientBytesPerConnection: number;
}

export interface ColdStartFigures {
  readonly services: number;
  /** Spawn → first 200 from /healthz, each attempt. */
  readonly attemptsMs: readonly number[];
  readonly medianMs: number;
  /** The same with an empty store: what the process and TLS cost before any loading. */
  readonly emptyStoreMs: number;
  /** RSS once serving `services` services. */
  readonly rssBytes: number;
}

export interface IpamNetworkFigures {
  readonly cidr: string;
  readonly live: number;
  readonly allocateP50Ms: number;
  readonly allocateP99Ms: number;
  readonly releaseP50Ms: number;
  readonly samples: number;
}

export interface IpamFigures {
  readonly wide: IpamNetworkFigures;
  readonly narrow: IpamNetworkFigures;
  /** Answer time of allocate_ip in a full network (network_exhausted). */
  readonly exhaustedP50Ms: number;
}

export interface EtcdFigures {
  readonly version: string;
  readonly put: RequestFigures;
  readonly range: RequestFigures;
  readonly list: { readonly services: number; readonly p50Ms: number; readonly maxMs: number };
  readonly watch: FanoutRun;
}

export interface CeilingFigures {
  readonly register: RequestFigures;
  readonly get: RequestFigures;
  readonly resolve?: RequestFigures;
  /** The fan-out shapes against a raw `ws` broadcast of the registry's event frame (absent in results before 2026-12-07). */
  readonly fanout?: FanoutRun;
  readonly 'fanout-wide'?: FanoutRun;
}

/** A registration acknowledged by one server → its event on a subscriber of another. */
export interface PropagationFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly samples: number;
}

/** Several registry servers on one PostgreSQL; CPU per op counts the registry processes only. */
export interface PostgresFigures {
  readonly servers: number;
  readonly postgresVersion: string;
  readonly register: RequestFigures;
  /** Consistent reads (the default): each waits until its server has applied every earlier commit. */
  readonly get: RequestFigures;
  readonly resolve: RequestFigures;
  /** `consistency: "stale"`: answered from the server's memory at once. */
  readonly getStale: RequestFigures;
  readonly resolveStale: RequestFigures;
  /** Consistent gets answered per query the servers sent PostgreSQL for them (transactions counted by PostgreSQL). */
  readonly readsPerQuery: number;
  readonly propagation: PropagationFigures;
}

/** HTTP health checks against local servers: what the scheduler costs and how well it keeps time. */
export interface HealthFigures {
  readonly checks: number;
  readonly intervalMs: number;
  /** The measured window: whole intervals after one interval of warm-up. */
  readonly windowMs: number;
  /** Check runs finished in the window, and how many the schedule asks for. */
  readonly runs: number;
  readonly expectedRuns: number;
  /** The registry process's CPU time (user + system) per check run, in microseconds. */
  readonly serverCpuUsPerCheck: number;
  /** The same as a share of one core over the window. */
  readonly serverCpuPercent: number;
  /** p99 of how late runs started against their schedule, in ms (the scheduler's last runs). */
  readonly latenessP99Ms: number;
  /** Revisions written in the window (every target answers 200: status changes would be a fault). */
  readonly transitions: number;
}

/** A/UDP queries against the registry's DNS interface and, beside it, NSD serving the same names from a zone file. */
export interface DnsFigures {
  readonly services: number;
  /** Queries outstanding at once (the load generator's closed loop). */
  readonly inFlight: number;
  readonly registry: RequestFigures;
  readonly nsd?: RequestFigures;
  readonly nsdVersion?: string;
}

/** The compiled `registry` executable, spawn to exit: `--version`, and `list` against a running server. */
export interface CliFigures {
  readonly runs: number;
  /** Services the listed registry holds. */
  readonly services: number;
  readonly versionMedianMs: number;
  readonly versionRunsMs: readonly number[];
  readonly listMedianMs: number;
  readonly listRunsMs: readonly number[];
}

/** One registry size of the scale table. */
export interface ScaleStep {
  readonly services: number;
  /** How the data folder was seeded, and how long it took. */
  readonly seededBy: string;
  readonly seedMs: number;
  /** Spawn → first 200 from /healthz. */
  readonly coldStartMs: number;
  /** RSS once serving, before any load. */
  readonly rssBytes: number;
  readonly register: RequestFigures;
  readonly get: RequestFigures;
  /** `list_services {limit: 100}`: the first page of a new listing (a new snapshot each time). */
  readonly listFirstPage: { readonly p50Ms: number; readonly p99Ms: number; readonly bytes: number; readonly samples: number };
}

export interface ScaleFigures {
  readonly steps: readonly ScaleStep[];
}

export interface AllFigures {
  register: RequestFigures;
  get: RequestFigures;
  resolve: RequestFigures;
  list: readonly ListFigures[];
  fanout: FanoutRun;
  'fanout-wide': FanoutRun;
  connections: ConnectionFigures;
  coldstart: ColdStartFigures;
  scale: ScaleFigures;
  ceiling: CeilingFigures;
  etcd: EtcdFigures;
  ipam: IpamFigures;
  postgres: PostgresFigures;
  health: HealthFigures;
  dns: DnsFigures;
  cli: CliFigures;
}

/** Why a part did not run ("n/a (subscribe not built)"), by figure name. */
export type NotRun = Partial<Record<keyof AllFigures, string>>;
