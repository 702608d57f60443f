/**
 * Two registry servers sharing one PostgreSQL (README "Storage"), reported beside the single SQLite
 * server: durable upserts, and random gets and resolves both ways (consistent, the default, and
 * stale) with the connections split over both servers, and how long a registration acknowledged
 * by one server takes to reach a subscriber of the other.
 */
import pg from 'pg';
import type WebSocket from 'ws';
import { type BenchContext, NotApplicable, type RunningServer, startRegistry } from '../context.js';
import type { PostgresFigures, PropagationFigures, RequestFigures } from '../figures.js';
import { readCpuSeconds } from '../lib/child.js';
import { type BenchPostgres, startBenchPostgres } from '../lib/postgres.js';
import { makeDataDir, seedStore } from '../lib/seed.js';
import { timed } from '../lib/phases.js';
import { allStarted } from '../lib/together.js';
import { round, summarise } from '../lib/stats.js';
import { registerFrame, responseError, type Workload } from '../load/frames.js';
import { runThreads, spread } from '../load/run-load.js';
import { closeSockets, openSocket, roundTrip } from '../load/socket.js';
import type { LoadJob } from '../load/worker.js';

const SERVERS = 2;
const workerScript = new URL('../load/worker.ts', import.meta.url);

/** The plan's connections split over the servers, one load thread per server; CPU is both servers' (PostgreSQL's is not counted). */
async function loadCluster(ctx: BenchContext, servers: readonly RunningServer[], workload: Workload): Promise<RequestFigures> {
  const { warmupMs, durationMs } = ctx.plan;
  const shares = spread({ connections: ctx.plan.connections, workers: servers.length, warmupMs, durationMs });
  const jobs: LoadJob[] = shares.map((share, i) => {
    const server = servers[i % servers.length];
    if (server === undefined) throw new Error('no server for a load thread');
    return { ...share, url: server.url, ca: server.ca, warmupMs, durationMs, workload };
  });
  const cpu = async (): Promise<number> => (await Promise.all(servers.map((s) => readCpuSeconds(s.pid)))).reduce((a, b) => a + b, 0);
  const before = await cpu();
  const figures = await runThreads(workerScript, jobs);
  const used = (await cpu()) - before;
  if (figures.errors > 0) throw new Error(`${figures.errors} requests failed; the first: ${figures.firstError ?? '?'}`);
  return { ...figures, serverCpuUsPerOp: round((used * 1e6) / Math.max(1, figures.totalOps), 1) };
}

/** Transactions PostgreSQL counted in the database so far (its statistics reach the view within a second). */
async function transactions(url: string): Promise<number> {
  await timed('measure', () => new Promise((resolve) => setTimeout(resolve, 1_500)));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Resolves with the arrival time of the next event frame for `name` on `socket`. */
function arrivalOf(socket: WebSocket, name: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no event for ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData): void => {
      const text = data.toString();
      if (!text.includes('"type":"event"') || !text.includes(`"${name}"`)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(performance.now());
    };
    socket.on('message', onMessage);
  });
}

/** Registrations sent one at a time to `writer`; each timed from the send to its event on `reader`'s subscriber. */
async function propagation(writer: RunningServer, reader: RunningServer, samples: number): Promise<PropagationFigures> {
  const send = await openSocket(writer.url, { ca: writer.ca });
  const watch = await openSocket(reader.url, { ca: reader.ca });
  try {
    const subscribed = await roundTrip(watch, '{"id":"s","type":"request","action":"subscribe","params":{"events":["ServiceRegistered"],"services":["prop-*"]}}');
    const refused = responseError(subscribed.text);
    if (refused !== undefined) throw new Error(`subscribe failed: ${refused}`);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const name = `prop-${i}`;
      const arrived = arrivalOf(watch, name);
      const sentAt = performance.now();
      const reply = await roundTrip(send, registerFrame(i, name, 5_000, 'propagation probe'));
      const error = responseError(reply.text);
      if (error !== undefined) throw new Error(`register failed: ${error}`);
      latencies.push((await arrived) - sentAt);
    }
    const summary = summarise(latencies);
    return { p50Ms: summary.p50, p99Ms: summary.p99, maxMs: summary.max, samples };
  } finally {
    await closeSockets([send, watch]);
  }
}

export async function postgresScenario(ctx: BenchContext): Promise<PostgresFigures> {
  // The servers' folders (and their certificates) are made while PostgreSQL starts.
  const dirs = Promise.all(Array.from({ length: SERVERS }, (_, i) => makeDataDir(ctx.root, `postgres-server-${i}`)));
  dirs.catch(() => undefined);
  let database: BenchPostgres;
  try {
    database = await timed('start', () => startBenchPostgres(ctx.root));
  } catch (error) {
    ctx.notRun.postgres = `n/a (${error instanceof Error ? error.message.slice(0, 120) : String(error)})`;
    throw new NotApplicable(ctx.notRun.postgres);
  }
  const servers: RunningServer[] = [];
  try {
    const seeded = performance.now();
    await seedStore({ location: database.url }, ctx.plan.services);
    ctx.log(`seeded ${ctx.plan.services} services into PostgreSQL in ${Math.round(performance.now() - seeded)} ms`);
    servers.push(...(await allStarted((await dirs).map((dir) => startRegistry(dir, [], database.url)))));
    const names = ctx.plan.services;
    const register = await loadCluster(ctx, servers, { kind: 'register', names });
    // Not reported: the first read load after the writes runs markedly slower (GC and the JIT settling), whichever it is.
    await loadCluster(ctx, servers, { kind: 'get', names, stale: true });
    const before = await transactions(database.url);
    const get = await loadCluster(ctx, servers, { kind: 'get', names });
    const readsPerQuery = round(get.totalOps / Math.max(1, (await transactions(database.url)) - before), 1);
    const getStale = await loadCluster(ctx, servers, { kind: 'get', names, stale: true });
    const resolve = await loadCluster(ctx, servers, { kind: 'resolve', names, param: 'service' });
    const resolveStale = await loadCluster(ctx, servers, { kind: 'resolve', names, param: 'service', stale: true });
    const [a, b] = servers;
    if (a === undefined || b === undefined) throw new Error('the servers did not start');
    const crossServer = await timed('measure', () => propagation(a, b, ctx.plan.mode === 'quick' ? 100 : 500));
    ctx.results.postgres = { servers: SERVERS, postgresVersion: database.version, register, get, getStale, resolve, resolveStale, readsPerQuery, propagation: crossServer };
    return ctx.results.postgres;
  } finally {
    await Promise.allSettled(servers.map((s) => s.close()));
    await timed('stop', () => database.close());
  }
}
