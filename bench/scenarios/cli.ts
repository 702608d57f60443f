/**
 * The CLI as an operator feels it: wall time from spawning the compiled `registry` (bin/registry.js,
 * built first when dist/ is older than the sources) to its exit, for `--version` and for `list`
 * against a running server found through its data folder, as `registry list` finds it on its host.
 * Median of RUNS after one unmeasured run of each.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchContext, startRegistry } from '../context.js';
import type { CliFigures } from '../figures.js';
import { makeDataDir, seedServices } from '../lib/seed.js';
import { ensureBuilt } from '../lib/build.js';
import { timed } from '../lib/phases.js';
import { round, summarise } from '../lib/stats.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const binPath = join(projectRoot, 'bin', 'registry.js');
const RUNS = 10;
/** Services the listed registry holds: a screenful, so the figure is the CLI, not the list. */
const SERVICES = 20;

/** Spawn → exit of one command, in ms; a non-zero exit is an error of the scenario. */
function timeRun(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [binPath, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`registry ${argv.join(' ')} exited with ${String(code)}: ${stderr}`));
    });
  });
}

async function medianOf(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ readonly medianMs: number; readonly runsMs: number[] }> {
  await timeRun(argv, env);
  const runsMs: number[] = [];
  for (let i = 0; i < RUNS; i++) runsMs.push(round(await timeRun(argv, env), 1));
  return { medianMs: summarise(runsMs).p50, runsMs };
}

export async function cliScenario(ctx: BenchContext): Promise<CliFigures> {
  // The compiled CLI of these sources: `npm ci` built dist/, and it is built again when the sources
  // have moved since (a run of the compiled server has already made sure of it).
  await ensureBuilt(projectRoot, ctx.log);
  const data = await makeDataDir(ctx.root, 'cli');
  await seedServices(data.dir, SERVICES);
  const server = await startRegistry(data);
  try {
    // Nothing of the operator's own configuration: the data folder says where the server is.
    const env = { PATH: process.env.PATH, HOME: data.dir, XDG_CONFIG_HOME: data.dir };
    const version = await timed('measure', () => medianOf(['--version'], env));
    const list = await timed('measure', () => medianOf(['--data-dir', data.dir, 'list'], env));
    ctx.results.cli = { runs: RUNS, services: SERVICES, versionMedianMs: version.medianMs, versionRunsMs: version.runsMs, listMedianMs: list.medianMs, listRunsMs: list.runsMs };
    return ctx.results.cli;
  } finally {
    await server.close();
  }
}
