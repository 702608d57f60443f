/**
 * Scenario 6: time from spawning the server process to its first `200` on /healthz, with the
 * plan's services in SQLite (certificates already made), beside the same with an empty store.
 */
import { get } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { type BenchContext, type RunningServer, startRegistry } from '../context.js';
import type { ColdStartFigures } from '../figures.js';
import { makeDataDir } from '../lib/seed.js';
import type { DataDir } from '../lib/seed.js';
import { round, summarise } from '../lib/stats.js';

const ATTEMPTS = { quick: 1, full: 3 } as const;

function healthStatus(server: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port: server.port, path: '/healthz', ca: server.ca, servername: 'localhost' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve(0));
  });
}

/** Spawn → healthy, in ms; also hands back the running server to the caller's `use`. */
export async function timeStart<T>(data: DataDir, use: (server: RunningServer) => Promise<T>): Promise<{ readonly ms: number; readonly value: T }> {
  const started = performance.now();
  const server = await startRegistry(data);
  try {
    const deadline = started + 120_000;
    while ((await healthStatus(server)) !== 200) {
      if (performance.now() > deadline) throw new Error('/healthz did not answer 200 within 120 s');
      await delay(5);
    }
    const ms = performance.now() - started;
    return { ms, value: await use(server) };
  } finally {
    await server.close();
  }
}

export async function coldStartScenario(ctx: BenchContext): Promise<ColdStartFigures> {
  const services = ctx.plan.coldStartServices;
  const data = await ctx.seededDir(services);
  const attemptsMs: number[] = [];
  let rssBytes = 0;
  for (let i = 0; i < ATTEMPTS[ctx.plan.mode]; i++) {
    const attempt = await timeStart(data, (server) => server.child.rssBytes());
    attemptsMs.push(round(attempt.ms, 1));
    rssBytes = attempt.value;
  }
  const empty = await makeDataDir(ctx.root, 'empty');
  const emptyStore = await timeStart(empty, async () => undefined);
  ctx.results.coldstart = { services, attemptsMs, medianMs: summarise(attemptsMs).p50, emptyStoreMs: round(emptyStore.ms, 1), rssBytes };
  return ctx.results.coldstart;
}
