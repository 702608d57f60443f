/** Scenario 3: list_services at each size of the plan, on a registry holding exactly that many services. */
import { type BenchContext, type RunningServer, startRegistry } from '../context.js';
import type { ListFigures } from '../figures.js';
import { timed } from '../lib/phases.js';
import { allStarted } from '../lib/together.js';
import { summarise } from '../lib/stats.js';
import { firstPageFrame, listFrame, responseError } from '../load/frames.js';
import { closeSockets, openSocket, roundTrip } from '../load/socket.js';

/** Lists after one unmeasured list (which warms the code paths). */
const LISTS = { quick: 3, full: 10 } as const;

async function listOn(ctx: BenchContext, server: RunningServer, size: number): Promise<ListFigures> {
  const socket = await openSocket(server.url, { ca: server.ca });
  try {
    const times: number[] = [];
    let bytes = 0;
    await timed('measure', async () => {
      for (let i = 0; i <= LISTS[ctx.plan.mode]; i++) {
        const reply = await roundTrip(socket, listFrame(i));
        const error = responseError(reply.text);
        if (error !== undefined) throw new Error(`list_services failed: ${error}`);
        if (i > 0) times.push(reply.ms);
        bytes = reply.bytes;
      }
    });
    const latency = summarise(times);
    return { services: size, p50Ms: latency.p50, maxMs: latency.max, bytes, samples: times.length, rssBytes: await server.child.rssBytes() };
  } finally {
    await closeSockets([socket]);
  }
}

export async function listScenario(ctx: BenchContext): Promise<readonly ListFigures[]> {
  // Each size's server starts (and is seeded) beside the others, then each is measured alone: the
  // servers not being listed sit idle.
  const servers = await allStarted(ctx.plan.listSizes.map(async (size) => startRegistry(await ctx.seededDir(size))));
  try {
    const figures: ListFigures[] = [];
    for (const [i, server] of servers.entries()) figures.push(await listOn(ctx, server, ctx.plan.listSizes[i] ?? 0));
    ctx.results.list = figures;
    return figures;
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

/** What the first page of a paged listing measured on a registry of `services`. */
export interface FirstPageFigures {
  readonly services: number;
  readonly limit: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly bytes: number;
  readonly samples: number;
}

/**
 * The first page (`limit`) of `list_services` on a running registry of `services`, `samples` times
 * after one unmeasured request. Each request is a new walk (a new snapshot), as a client starting
 * a listing sends it. The scale table measures it on the server it started cold.
 */
export async function firstPageOn(server: RunningServer, services: number, limit: number, samples: number): Promise<FirstPageFigures> {
  const socket = await openSocket(server.url, { ca: server.ca });
  try {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i <= samples; i++) {
      const reply = await roundTrip(socket, firstPageFrame(i, limit));
      const error = responseError(reply.text);
      if (error !== undefined) throw new Error(`list_services {limit: ${limit}} failed: ${error}`);
      if (i > 0) times.push(reply.ms);
      bytes = reply.bytes;
    }
    const latency = summarise(times);
    return { services, limit, p50Ms: latency.p50, p99Ms: latency.p99, maxMs: latency.max, bytes, samples: times.length };
  } finally {
    await closeSockets([socket]);
  }
}

/** The bench hook: `firstPageOn` a registry of its own, seeded with `size` services. */
export async function firstPageAt(ctx: BenchContext, size: number, limit = 100, samples = 20): Promise<FirstPageFigures> {
  const server = await startRegistry(await ctx.seededDir(size));
  try {
    return await firstPageOn(server, size, limit, samples);
  } finally {
    await server.close();
  }
}
