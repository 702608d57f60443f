/**
 * Health checks at scale: the plan's HTTP checks (10,000 every 10 s in the full run) against
 * local HTTP servers in a child process. After one interval of warm-up, the registry's CPU time
 * over a window of whole intervals is divided by the checks it ran in that window; the p99 of
 * how late runs started against their schedule is the scheduler's own figure (its last runs).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { RegistryClient } from '../../src/client/index.js';
import { type BenchContext, startRegistry } from '../context.js';
import type { HealthFigures } from '../figures.js';
import { field, readCpuSeconds, spawnChild } from '../lib/child.js';
import { makeDataDir } from '../lib/seed.js';
import { timed } from '../lib/phases.js';
import { bothStarted } from '../lib/together.js';
import { round } from '../lib/stats.js';

const targetsScript = fileURLToPath(new URL('../children/http-targets.ts', import.meta.url));
const TARGET_SERVERS = 4;
/** Registrations in flight at once while the checks are declared. */
const BATCH = 200;

const isPorts = (v: unknown): v is number[] => Array.isArray(v) && v.every((p) => typeof p === 'number');

async function declareChecks(client: RegistryClient, ports: readonly number[], checks: number, intervalSeconds: number): Promise<void> {
  for (let first = 0; first < checks; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, checks - first) }, (_, k) => first + k);
    await Promise.all(
      batch.map((i) => {
        const port = ports[i % ports.length] ?? 0;
        const check = { name: 'http', kind: 'http' as const, url: `http://127.0.0.1:${port}/svc-${i}`, interval: intervalSeconds, initial_status: 'passing' as const };
        return client.register({ name: `checked-${i}`, host: '127.0.0.1', port, checks: [check] });
      }),
    );
  }
}

async function healthOf(client: RegistryClient): Promise<{ runs: number; latenessP99Ms: number; checks: number; revision: number }> {
  const status = await client.status();
  const health = status.health;
  if (health === undefined) throw new Error('the server reports no health scheduler');
  return { runs: health.runs, latenessP99Ms: health.lateness_p99_ms, checks: health.checks, revision: status.revision };
}

export async function healthScenario(ctx: BenchContext): Promise<HealthFigures> {
  const { checks, intervalMs, windowIntervals } = ctx.plan.health;
  const [targets, server] = await bothStarted(
    spawnChild(targetsScript, [String(TARGET_SERVERS)]),
    makeDataDir(ctx.root, 'health').then((data) => startRegistry(data)),
  );
  const client = await RegistryClient.connect(server.url, { ca: server.ca });
  try {
    await timed('seed', () => declareChecks(client, field(targets.ready, 'ports', isPorts), checks, intervalMs / 1000));
    // One interval for every check's first run (spread over its first half), then measure whole intervals.
    await timed('measure', () => delay(intervalMs));
    const before = await healthOf(client);
    if (before.checks !== checks) throw new Error(`the scheduler runs ${before.checks} checks, not ${checks}`);
    const cpuBefore = await readCpuSeconds(server.pid);
    const windowMs = intervalMs * windowIntervals;
    await timed('measure', () => delay(windowMs));
    const cpuAfter = await readCpuSeconds(server.pid);
    const after = await healthOf(client);
    const runs = after.runs - before.runs;
    ctx.results.health = {
      checks,
      intervalMs,
      windowMs,
      runs,
      expectedRuns: checks * windowIntervals,
      serverCpuUsPerCheck: round(((cpuAfter - cpuBefore) * 1e6) / Math.max(1, runs), 1),
      serverCpuPercent: round(((cpuAfter - cpuBefore) * 1e5) / windowMs, 1),
      latenessP99Ms: after.latenessP99Ms,
      transitions: after.revision - before.revision,
    };
    return ctx.results.health;
  } finally {
    await client.close();
    await server.close();
    await targets.close();
  }
}
