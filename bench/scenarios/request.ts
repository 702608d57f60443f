/**
 * Scenarios 1, 2 and 7: durable upserts, random reads (get_service, resolve), and the same loops
 * against the raw ws echo ceiling, which also runs both fan-out shapes on its broadcast. Each
 * counts the server process's CPU time per answer.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operations } from '../../src/operations/index.js';
import { type BenchContext, type Captures, NotApplicable, type RunningServer } from '../context.js';
import type { CeilingFigures, RequestFigures } from '../figures.js';
import { field, isNumber, readCpuSeconds, spawnChild } from '../lib/child.js';
import { round } from '../lib/stats.js';
import { frameMaker, responseError, type Workload } from '../load/frames.js';
import { type LoadFigures, runLoad } from '../load/run-load.js';
import { closeSockets, openSocket, roundTrip } from '../load/socket.js';
import { fanoutAt } from './fanout.js';

/** Runs `load` while counting `pid`'s CPU time; a run with failed requests is an error. */
export function withServerCpu(pid: number, load: () => Promise<LoadFigures>): Promise<RequestFigures> {
  return withCpu(() => readCpuSeconds(pid), load);
}

/** Runs `load` while counting the server's CPU seconds as `cpuSeconds` reads them; a run with failed requests is an error. */
export async function withCpu(cpuSeconds: () => Promise<number>, load: () => Promise<LoadFigures>): Promise<RequestFigures> {
  const before = await cpuSeconds();
  const figures = await load();
  const cpu = (await cpuSeconds()) - before;
  if (figures.errors > 0) throw new Error(`${figures.errors} requests failed; the first: ${figures.firstError ?? '?'}`);
  return { ...figures, serverCpuUsPerOp: round((cpu * 1e6) / Math.max(1, figures.totalOps), 1) };
}

function loadOn(ctx: BenchContext, server: { readonly pid: number }, url: string, ca: string, workload: Workload): Promise<RequestFigures> {
  const { connections, workers, warmupMs, durationMs } = ctx.plan;
  return withServerCpu(server.pid, () => runLoad({ url, ca, connections, workers, warmupMs, durationMs, workload }));
}

export async function registerScenario(ctx: BenchContext): Promise<RequestFigures> {
  const server = await ctx.mainServer();
  ctx.results.register = await loadOn(ctx, server, server.url, server.ca, { kind: 'register', names: ctx.plan.services });
  return ctx.results.register;
}

/** The field `resolve` takes the service name in, read off its input schema; undefined when it has no such op. */
function resolveParam(): string | undefined {
  const op = operations.find((o) => o.name === 'resolve');
  if (op === undefined) return undefined;
  const shape: unknown = 'shape' in op.input ? op.input.shape : undefined;
  const keys = typeof shape === 'object' && shape !== null ? Object.keys(shape) : [];
  return ['service', 'name'].find((k) => keys.includes(k)) ?? 'service';
}

/** The resolve workload, or why it cannot run on this server. */
async function resolveWorkload(ctx: BenchContext, server: RunningServer): Promise<Workload | string> {
  const param = resolveParam();
  if (param === undefined) return 'n/a (resolve not built)';
  const workload: Workload = { kind: 'resolve', names: ctx.plan.services, param };
  const socket = await openSocket(server.url, { ca: server.ca });
  try {
    const probe = await roundTrip(socket, frameMaker(workload, 0)(1));
    const error = responseError(probe.text);
    if (error === undefined) return workload;
    if (/"(unknown_operation|unavailable)"/.test(error)) return `n/a (resolve answers ${error})`;
    throw new Error(`resolve failed: ${error}`);
  } finally {
    await closeSockets([socket]);
  }
}

export async function getScenario(ctx: BenchContext): Promise<RequestFigures> {
  const server = await ctx.mainServer();
  ctx.results.get = await loadOn(ctx, server, server.url, server.ca, { kind: 'get', names: ctx.plan.services });
  return ctx.results.get;
}

export async function resolveScenario(ctx: BenchContext): Promise<RequestFigures> {
  const server = await ctx.mainServer();
  const workload = await resolveWorkload(ctx, server);
  if (typeof workload === 'string') {
    ctx.notRun.resolve = workload;
    throw new NotApplicable(workload);
  }
  ctx.results.resolve = await loadOn(ctx, server, server.url, server.ca, workload);
  return ctx.results.resolve;
}

const echoScript = fileURLToPath(new URL('../children/echo.ts', import.meta.url));

/** The echo server answers each workload with a reply of the registry's size for it. */
async function startEcho(ctx: BenchContext, replies: Readonly<Record<string, string>>, event: Captures['event']) {
  const main = await ctx.mainServer();
  const specPath = join(ctx.root, 'echo.json');
  await writeFile(specPath, JSON.stringify({ cert: main.data.tls.certPath, key: main.data.tls.keyPath, replies, event }));
  const child = await spawnChild(echoScript, [specPath]);
  return { child, port: field(child.ready, 'port', isNumber), ca: main.ca };
}

export async function ceilingScenario(ctx: BenchContext): Promise<CeilingFigures> {
  const captures = await ctx.captures();
  const resolveReply = await resolveReplyIfAny(ctx);
  const echo = await startEcho(ctx, { '/register': captures.register, '/get': captures.get, '/resolve': resolveReply ?? '{}' }, captures.event);
  try {
    const base = `wss://127.0.0.1:${echo.port}`;
    const { services } = ctx.plan;
    const register = await loadOn(ctx, echo.child, `${base}/register`, echo.ca, { kind: 'register', names: services });
    const get = await loadOn(ctx, echo.child, `${base}/get`, echo.ca, { kind: 'get', names: services });
    const param = resolveParam();
    const resolve =
      resolveReply === undefined || param === undefined
        ? undefined
        : await loadOn(ctx, echo.child, `${base}/resolve`, echo.ca, { kind: 'resolve', names: services, param });
    // The fan-out shapes against the same server broadcasting the registry's event frame: what TLS,
    // framing and the subscribers' threads allow on this machine.
    const broadcast = { url: `${base}/broadcast`, ca: echo.ca, pid: echo.child.pid };
    const fanout = await fanoutAt(ctx, broadcast, ctx.plan.fanout);
    const fanoutWide = await fanoutAt(ctx, broadcast, ctx.plan.fanoutWide);
    ctx.results.ceiling = { register, get, ...(resolve === undefined ? {} : { resolve }), fanout, 'fanout-wide': fanoutWide };
    return ctx.results.ceiling;
  } finally {
    await echo.child.close();
  }
}

/** A resolve reply of the registry, when resolve runs on it. */
async function resolveReplyIfAny(ctx: BenchContext): Promise<string | undefined> {
  const server = await ctx.mainServer();
  const workload = await resolveWorkload(ctx, server);
  if (typeof workload === 'string') return undefined;
  const socket = await openSocket(server.url, { ca: server.ca });
  try {
    return (await roundTrip(socket, frameMaker(workload, 0)(1))).text;
  } finally {
    await closeSockets([socket]);
  }
}
