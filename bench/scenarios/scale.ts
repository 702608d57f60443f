/**
 * The scale table: at each size of `plan.scaleSizes` (10,000, 100,000 and, in the full run,
 * 1,000,000 services), a registry seeded through the store is started cold and measured: spawn →
 * first 200 from /healthz, RSS once serving, `register` (upserts among all its services) and
 * `get_service` under the usual closed loop, and the first page of `list_services {limit: 100}`.
 */
import type { BenchContext } from '../context.js';
import type { ScaleFigures, ScaleStep } from '../figures.js';
import { round } from '../lib/stats.js';
import { runLoad, type LoadShape } from '../load/run-load.js';
import { withServerCpu } from './request.js';
import { timeStart } from './coldstart.js';
import { firstPageOn } from './list.js';

/** Page size of the first-page list; the figure is the first page of a 1,000,000-service list. */
export const FIRST_PAGE = 100;
const PAGES = { quick: 10, full: 50 } as const;

async function measureAt(ctx: BenchContext, services: number): Promise<ScaleStep> {
  const data = await ctx.seededDir(services);
  const shape: LoadShape = { connections: ctx.plan.connections, workers: ctx.plan.workers, ...ctx.plan.scaleLoad };
  const started = await timeStart(data, async (server) => {
    const rssBytes = await server.child.rssBytes();
    const page = await firstPageOn(server, services, FIRST_PAGE, PAGES[ctx.plan.mode]);
    const load = (kind: 'register' | 'get') => withServerCpu(server.pid, () => runLoad({ url: server.url, ca: server.ca, ...shape, workload: { kind, names: services } }));
    const get = await load('get');
    const register = await load('register');
    return { rssBytes, page, get, register };
  });
  const { rssBytes, page, get, register } = started.value;
  return {
    services,
    seededBy: 'the store directly (bench/lib/seed.ts: register-shaped services, 2,000 to a commit, in the bench process), not the wire',
    seedMs: ctx.seedMs.get(services) ?? 0,
    coldStartMs: round(started.ms, 1),
    rssBytes,
    register,
    get,
    listFirstPage: { p50Ms: page.p50Ms, p99Ms: page.p99Ms, bytes: page.bytes, samples: page.samples },
  };
}

export async function scaleScenario(ctx: BenchContext): Promise<ScaleFigures> {
  const steps: ScaleStep[] = [];
  for (const size of ctx.plan.scaleSizes) {
    steps.push(await measureAt(ctx, size));
    ctx.log(`scale: ${size} services measured`);
  }
  ctx.results.scale = { steps };
  return ctx.results.scale;
}
