/** What one bench run does: the sizes and durations of `--quick` and of the full run. */
import { parseArgs } from 'node:util';

export const scenarioNames = ['register', 'get', 'resolve', 'list', 'fanout', 'fanout-wide', 'connections', 'coldstart', 'scale', 'ceiling', 'etcd', 'ipam', 'postgres', 'health', 'dns', 'cli'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface FanoutPlan {
  readonly subscribers: number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly graceMs: number;
}

export interface BenchPlan {
  readonly mode: 'quick' | 'full';
  /** Concurrent connections (and etcd clients) of the request/response scenarios. */
  readonly connections: number;
  /** Load generator threads; the server runs in its own process beside them. */
  readonly workers: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Services the register and get scenarios work among. */
  readonly services: number;
  readonly listSizes: readonly number[];
  readonly fanout: FanoutPlan;
  /** The second shape: many more subscribers, fewer events a second. */
  readonly fanoutWide: FanoutPlan;
  readonly idleConnections: number;
  readonly connectionsPerHolder: number;
  readonly coldStartServices: number;
  /** Registry sizes of the scale table (each seeded through the store): how register, get, list's first page, cold start and RSS grow. */
  readonly scaleSizes: readonly number[];
  /** The register and get loops at each scale size: shorter than the main ones, since they run once per size. */
  readonly scaleLoad: { readonly warmupMs: number; readonly durationMs: number };
  /**
   * Which registry runs: `dist`, the compiled package under plain node (built first when stale);
   * `src`, the sources under tsx; `fresh`, dist when it is newer than its sources, else src (no build).
   */
  readonly build: 'src' | 'dist' | 'fresh';
  readonly ipamAllocations: number;
  readonly ipamSamples: number;
  /** HTTP health checks: how many, how often, and how many whole intervals are measured. */
  readonly health: { readonly checks: number; readonly intervalMs: number; readonly windowIntervals: number };
  readonly only: readonly ScenarioName[];
  /** Run register, get and resolve (or the `--only` scenarios), each on its own server process with `--cpu-prof`, and summarise the profiles. */
  readonly profile: boolean;
}

const full: Omit<BenchPlan, 'only' | 'profile' | 'connections' | 'workers'> = {
  mode: 'full',
  warmupMs: 1_000,
  durationMs: 10_000,
  services: 10_000,
  listSizes: [1_000, 100_000],
  fanout: { subscribers: 1_000, ratePerSecond: 100, durationMs: 20_000, graceMs: 15_000 },
  fanoutWide: { subscribers: 10_000, ratePerSecond: 10, durationMs: 20_000, graceMs: 15_000 },
  idleConnections: 10_000,
  connectionsPerHolder: 2_000,
  coldStartServices: 100_000,
  scaleSizes: [10_000, 100_000, 1_000_000],
  scaleLoad: { warmupMs: 1_000, durationMs: 5_000 },
  build: 'dist',
  ipamAllocations: 10_000,
  ipamSamples: 1_000,
  health: { checks: 10_000, intervalMs: 10_000, windowIntervals: 2 },
};

const quick: typeof full = {
  mode: 'quick',
  // CI's smoke run of every scenario: windows long enough for figures that mean something, short
  // enough that the whole run stays well under 2 minutes on a busy 2-core machine.
  warmupMs: 300,
  durationMs: 1_000,
  services: 10_000,
  listSizes: [1_000, 10_000],
  fanout: { subscribers: 100, ratePerSecond: 100, durationMs: 2_000, graceMs: 10_000 },
  fanoutWide: { subscribers: 500, ratePerSecond: 10, durationMs: 1_500, graceMs: 10_000 },
  idleConnections: 500,
  connectionsPerHolder: 500,
  coldStartServices: 10_000,
  scaleSizes: [1_000, 10_000],
  scaleLoad: { warmupMs: 250, durationMs: 1_000 },
  build: 'fresh',
  ipamAllocations: 1_000,
  ipamSamples: 300,
  health: { checks: 1_000, intervalMs: 2_000, windowIntervals: 2 },
};

export const usage = `npm run bench -- [--quick] [--only register,get,…] [--connections N] [--workers N] [--profile]
  --quick        small sizes and short runs (under 2 minutes; CI runs it)
  --only         scenarios: ${scenarioNames.join(', ')}
  --connections  concurrent connections for register/get/etcd (default 32)
  --workers      load generator threads (default 1: the server needs the other core)
  --profile      run register, get and resolve (or the --only scenarios) with --cpu-prof on the server; print the top 10 self-time functions of each
  --build        dist: the compiled server under plain node, after npm run build when dist/ is stale (default of the full run);
                 src: the sources under tsx; fresh: dist when it is newer than the sources, else src (default of --quick)`;

function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name);
}

/** Parses the command line; throws a message for a bad flag. */
export function planFrom(argv: readonly string[]): BenchPlan {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      connections: { type: 'string', default: '32' },
      workers: { type: 'string', default: '1' },
      profile: { type: 'boolean', default: false },
      build: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(usage);
  const only = (values.only ?? '').split(',').filter((s) => s !== '');
  const unknown = only.filter((s) => !isScenarioName(s));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${usage}`);
  const count = (text: string, flag: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, not '${text}'`);
    return n;
  };
  const base = values.quick ? quick : full;
  const build = values.build ?? base.build;
  if (build !== 'src' && build !== 'dist' && build !== 'fresh') throw new Error(`--build must be src, dist or fresh, not '${build}'`);
  // Profiled without --only: the request/response scenarios; with it, the scenarios named.
  const chosen = values.profile && only.length === 0 ? ['register', 'get', 'resolve'] : only;
  return {
    ...base,
    connections: count(values.connections, 'connections'),
    workers: count(values.workers, 'workers'),
    only: chosen.length === 0 ? scenarioNames : chosen.filter(isScenarioName),
    profile: values.profile,
    build,
  };
}
