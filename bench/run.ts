/**
 * `npm run bench [-- --quick] [--only …] [--profile]`: the registry side by side with etcd and
 * the raw WebSocket ceiling on this machine. Prints one JSON line per scenario as it finishes,
 * then a Markdown table, and writes bench/results/<date>.json. Exits 1 only when a scenario
 * errored, never because a figure missed its target.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchContext, NotApplicable, type ServerBuild, useServerBuild } from './context.js';
import { projectRoot } from './lib/child.js';
import { ensureBuilt, staleReason } from './lib/build.js';
import { describeMachine } from './lib/machine.js';
import { type PhaseTimes, phaseLine, takePhases } from './lib/phases.js';
import { selfTimeTable, topSelfTime } from './lib/profile.js';
import { round } from './lib/stats.js';
import { type BenchPlan, planFrom, type ScenarioName } from './plan.js';
import { buildRows, markdownTable, rowsWithRatios } from './rows.js';
import { scaleRows, scaleTable } from './scale-table.js';
import { ceilingScenario, getScenario, registerScenario, resolveScenario } from './scenarios/request.js';
import { coldStartScenario } from './scenarios/coldstart.js';
import { connectionsScenario } from './scenarios/connections.js';
import { etcdScenario } from './scenarios/etcd.js';
import { fanoutScenario, fanoutWideScenario } from './scenarios/fanout.js';
import { scaleScenario } from './scenarios/scale.js';
import { ipamScenario } from './scenarios/ipam.js';
import { listScenario } from './scenarios/list.js';
import { postgresScenario } from './scenarios/postgres.js';
import { healthScenario } from './scenarios/health.js';
import { dnsScenario } from './scenarios/dns.js';
import { cliScenario } from './scenarios/cli.js';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

const scenarios: Readonly<Record<ScenarioName, (ctx: BenchContext) => Promise<unknown>>> = {
  register: registerScenario,
  get: getScenario,
  resolve: resolveScenario,
  list: listScenario,
  fanout: fanoutScenario,
  'fanout-wide': fanoutWideScenario,
  connections: connectionsScenario,
  coldstart: coldStartScenario,
  scale: scaleScenario,
  ceiling: ceilingScenario,
  etcd: etcdScenario,
  ipam: ipamScenario,
  postgres: postgresScenario,
  health: healthScenario,
  dns: dnsScenario,
  cli: cliScenario,
};

interface ScenarioReport {
  readonly scenario: ScenarioName;
  readonly status: 'ok' | 'n/a' | 'error';
  readonly elapsedMs: number;
  /** Where `elapsedMs` went: builds, seeding, starting and stopping processes, measuring, the rest. */
  readonly phasesMs: PhaseTimes;
  readonly figures?: unknown;
  readonly reason?: string;
}

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function runScenario(ctx: BenchContext, name: ScenarioName): Promise<ScenarioReport> {
  log(`${name}…`);
  const started = performance.now();
  const timing = (): Pick<ScenarioReport, 'elapsedMs' | 'phasesMs'> => {
    const elapsedMs = round(performance.now() - started, 0);
    const phasesMs = takePhases(elapsedMs);
    log(`${name}: ${(elapsedMs / 1000).toFixed(1)} s (${phaseLine(phasesMs)})`);
    return { elapsedMs, phasesMs };
  };
  try {
    const figures = await scenarios[name](ctx);
    return { scenario: name, status: 'ok', ...timing(), figures };
  } catch (error) {
    if (error instanceof NotApplicable) return { scenario: name, status: 'n/a', ...timing(), reason: error.message };
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${name} failed: ${reason}`);
    ctx.notRun[name] ??= 'error';
    return { scenario: name, status: 'error', ...timing(), reason };
  }
}

/** Each scenario's profile of the registry, summarised. */
async function summariseProfiles(dir: string, names: readonly ScenarioName[], stamp: string): Promise<string> {
  const sections: string[] = [];
  for (const name of names) {
    // One file per thread (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`): the main thread first, then the commit worker.
    const files = (await readdir(join(dir, name)).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
    const byThread = files.map((file) => ({ file, thread: Number(file.split('.')[4] ?? 0) })).sort((a, b) => a.thread - b.thread);
    for (const { file, thread } of byThread) {
      const top = await topSelfTime(join(dir, name, file));
      const where = thread === 0 ? '' : `, worker thread ${String(thread)}`;
      sections.push(`### ${name}${where}: the server's top 10 functions by self time\n\n${selfTimeTable(top)}\n`);
    }
  }
  if (sections.length === 0) throw new Error(`no .cpuprofile was written under ${dir}`);
  const text = `## Server CPU profiles (--cpu-prof)\n\n${sections.join('\n')}`;
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, `${stamp}-profile.md`), text);
  return text;
}

async function runAll(plan: BenchPlan, root: string, stamp: string): Promise<{ ctx: BenchContext; reports: ScenarioReport[]; profile?: string }> {
  const profileDir = join(root, 'profile');
  const flags = (label: string): string[] => (plan.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, label)}`] : []);
  const ctx = new BenchContext(plan, root, log, flags);
  const reports: ScenarioReport[] = [];
  try {
    for (const name of plan.only) {
      // Profiled: each scenario gets its own server process, so each profile holds one workload.
      if (plan.profile) await ctx.restartMainServer(name);
      const report = await runScenario(ctx, name);
      reports.push(report);
      process.stdout.write(`${JSON.stringify(report)}\n`);
    }
  } finally {
    await ctx.close();
  }
  return { ctx, reports, ...(plan.profile ? { profile: await summariseProfiles(profileDir, plan.only, stamp) } : {}) };
}

/**
 * The registry the run starts. The compiled package, as users run it, under plain node: after a
 * build when stale (`dist`), or only when it is already fresh (`fresh`, the quick run's default:
 * it then starts in about half the time of the sources under tsx); else the sources under tsx.
 */
async function chooseServerBuild(build: BenchPlan['build']): Promise<ServerBuild> {
  if (build === 'dist') await ensureBuilt(projectRoot, log);
  const stale = build === 'fresh' ? await staleReason(projectRoot) : undefined;
  const chosen = build === 'src' || stale !== undefined ? 'src' : 'dist';
  const why = stale === undefined ? '' : ` (${stale})`;
  log(`the registry runs ${chosen === 'dist' ? 'compiled (dist/, plain node)' : `from its sources (src/, tsx)${why}`}`);
  return chosen;
}

async function main(): Promise<void> {
  let plan: BenchPlan;
  try {
    plan = planFrom(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  // grpc-js warns once per connection that an IP address is not a TLS server name; it is noise here.
  process.noDeprecation = true;
  const machine = describeMachine();
  const stamp = machine.date.replace(/[:.]/g, '-');
  log(`${plan.mode} run on ${machine.cores} cores, ${Math.round(machine.memoryBytes / 1e9)} GB, Node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
  const runStarted = performance.now();
  const serverBuild = await chooseServerBuild(plan.build);
  const buildMs = takePhases(performance.now() - runStarted).build;
  useServerBuild(serverBuild);
  const root = await mkdtemp(join(tmpdir(), 'registry-bench-'));
  await chmod(root, 0o755);
  try {
    const { ctx, reports, profile } = await runAll(plan, root, stamp);
    const rows = buildRows(ctx);
    const table = markdownTable(rows);
    if (rows.length > 0) process.stdout.write(`\n${table}\n`);
    const scale = scaleTable(ctx.results.scale);
    if (scale !== undefined) process.stdout.write(`\nHow cost grows with the registry (${ctx.results.scale?.steps[0]?.seededBy ?? ''}):\n\n${scale}\n`);
    if (profile !== undefined) process.stdout.write(`\n${profile}`);
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `${stamp}${plan.mode === 'quick' ? '-quick' : ''}${plan.profile ? '-profiled' : ''}.json`);
    const loadAfter = describeMachine().loadAverage;
    const wallMs = Math.round(performance.now() - runStarted);
    const timing = { wallMs, serverBuild, buildBeforeScenariosMs: buildMs };
    await writeFile(file, `${JSON.stringify({ machine: { ...machine, loadAverageAfter: loadAfter }, plan, timing, scenarios: reports, rows: rowsWithRatios(rows), scaleRows: scaleRows(ctx.results.scale), figures: ctx.results }, null, 2)}\n`);
    log(`wrote ${file}`);
    log(`wall time ${(wallMs / 1000).toFixed(1)} s; by scenario: ${reports.map((r) => `${r.scenario} ${(r.elapsedMs / 1000).toFixed(1)}`).join(', ')}`);
    if (reports.some((r) => r.status === 'error')) process.exitCode = 1;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
