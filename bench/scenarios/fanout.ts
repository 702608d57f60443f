/**
 * Scenario 4: subscribers on the registry under load, a writer registering at a fixed rate; in two
 * shapes, `fanout` (1,000 × 100/s) and `fanout-wide` (10,000 × 10/s).
 */
import { readFile } from 'node:fs/promises';
import { type BenchContext, NotApplicable } from '../context.js';
import { type FanoutFigures, runOursFanout } from '../fanout/run-fanout.js';
import type { FanoutRun } from '../figures.js';
import { readCpuSeconds } from '../lib/child.js';
import { round } from '../lib/stats.js';
import type { FanoutPlan } from '../plan.js';

export function fanoutShape(ctx: BenchContext, plan: FanoutPlan = ctx.plan.fanout) {
  // Subscribers are spread over at least two threads: one thread cannot read 100,000 frames/s.
  return { ...plan, workers: Math.max(2, ctx.plan.workers) };
}

/** Runs a fan-out while counting `pid`'s CPU time, and divides it by the deliveries. */
export async function withDeliveryCpu(pid: number, run: () => Promise<FanoutFigures>): Promise<FanoutRun> {
  const before = await readCpuSeconds(pid);
  const figures = await run();
  const cpu = (await readCpuSeconds(pid)) - before;
  return { ...figures, serverCpuUsPerDelivery: round((cpu * 1e6) / Math.max(1, figures.delivered), 2) };
}

/** The subscribers' sockets live in this process's threads: its soft open-file limit must hold them. */
async function requireOpenFiles(subscribers: number): Promise<void> {
  const limits = await readFile('/proc/self/limits', 'utf8');
  const soft = Number(/^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1] ?? 'NaN');
  const needed = subscribers + 500;
  if (soft < needed) throw new Error(`${subscribers} subscribers need ${needed} open files in the bench process; its limit is ${soft} (run it after \`ulimit -n ${needed}\`)`);
}

/** One fan-out shape against the server at `url` (process `pid`): the registry, or the ceiling's broadcast. */
export async function fanoutAt(ctx: BenchContext, server: { readonly url: string; readonly ca: string; readonly pid: number }, plan: FanoutPlan): Promise<FanoutRun> {
  await requireOpenFiles(plan.subscribers);
  return withDeliveryCpu(server.pid, () => runOursFanout(server.url, server.ca, fanoutShape(ctx, plan)));
}

async function runShape(ctx: BenchContext, plan: FanoutPlan): Promise<FanoutRun> {
  const server = await ctx.mainServer();
  try {
    return await fanoutAt(ctx, server, plan);
  } catch (error) {
    if (error instanceof Error && error.message.includes('"unknown_operation"')) throw new NotApplicable('n/a (subscribe not built)');
    throw error;
  }
}

function checked(figures: FanoutRun): FanoutRun {
  if (figures.writeErrors > 0) throw new Error(`${figures.writeErrors} registrations failed: ${figures.firstWriteError ?? '?'}`);
  return figures;
}

export async function fanoutScenario(ctx: BenchContext): Promise<FanoutRun> {
  try {
    ctx.results.fanout = await runShape(ctx, ctx.plan.fanout);
  } catch (error) {
    if (error instanceof NotApplicable) ctx.notRun.fanout = error.message;
    throw error;
  }
  return checked(ctx.results.fanout);
}

export async function fanoutWideScenario(ctx: BenchContext): Promise<FanoutRun> {
  try {
    ctx.results['fanout-wide'] = await runShape(ctx, ctx.plan.fanoutWide);
  } catch (error) {
    if (error instanceof NotApplicable) ctx.notRun['fanout-wide'] = error.message;
    throw error;
  }
  return checked(ctx.results['fanout-wide']);
}
