/** Scenario 4: subscribers on the registry under load, a writer registering at a fixed rate. */
import { type BenchContext, NotApplicable } from '../context.js';
import { type FanoutFigures, runOursFanout } from '../fanout/run-fanout.js';
import type { FanoutRun } from '../figures.js';
import { readCpuSeconds } from '../lib/child.js';
import { round } from '../lib/stats.js';

export function fanoutShape(ctx: BenchContext) {
  // Subscribers are spread over at least two threads: one thread cannot read 100,000 frames/s.
  return { ...ctx.plan.fanout, workers: Math.max(2, ctx.plan.workers) };
}

/** Runs a fan-out while counting `pid`'s CPU time, and divides it by the deliveries. */
export async function withDeliveryCpu(pid: number, run: () => Promise<FanoutFigures>): Promise<FanoutRun> {
  const before = await readCpuSeconds(pid);
  const figures = await run();
  const cpu = (await readCpuSeconds(pid)) - before;
  return { ...figures, serverCpuUsPerDelivery: round((cpu * 1e6) / Math.max(1, figures.delivered), 2) };
}

export async function fanoutScenario(ctx: BenchContext): Promise<FanoutRun> {
  const server = await ctx.mainServer();
  let figures: FanoutRun;
  try {
    figures = await withDeliveryCpu(server.pid, () => runOursFanout(server.url, server.ca, fanoutShape(ctx)));
  } catch (error) {
    if (error instanceof Error && error.message.includes('"unknown_operation"')) {
      ctx.notRun.fanout = 'n/a (subscribe not built)';
      throw new NotApplicable(ctx.notRun.fanout);
    }
    throw error;
  }
  ctx.results.fanout = figures;
  if (figures.writeErrors > 0) throw new Error(`${figures.writeErrors} registrations failed: ${figures.firstWriteError ?? '?'}`);
  return figures;
}
