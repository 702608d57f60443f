/**
 * What scenarios share: the temp folder, the registry under load (seeded once), etcd, the
 * replies captured from the registry (the ceiling answers with the same bytes), seeded folders.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import { type BenchChild, field, isNumber, isString, spawnChild } from './lib/child.js';
import { type DataDir, makeDataDir, seedServices } from './lib/seed.js';
import type { AllFigures, NotRun } from './figures.js';
import type { BenchPlan } from './plan.js';
import { timed } from './lib/phases.js';
import { type EtcdProcess, ensureEtcdInstalled, startEtcd } from './etcd/etcd-process.js';
import { frameMaker, registerFrame, responseError } from './load/frames.js';
import { closeSockets, openSocket, roundTrip } from './load/socket.js';

const serverScript = fileURLToPath(new URL('./children/server.js', import.meta.url));

/**
 * The registry under load also serves DNS (on a port the OS picks), so the DNS scenario queries
 * the same seeded registry instead of starting and seeding one of its own; the listener does
 * nothing until asked. No rate limit: the load comes from one source address.
 */
const MAIN_CONFIG = `[dns]\nenabled = true\nport = 0\nrate_limit = 10000000\n`;

/**
 * Which registry the bench starts: `dist`, the compiled package under plain node (the full run,
 * after `npm run build`), or `src`, the sources under tsx (the quick run).
 */
export type ServerBuild = 'src' | 'dist';
let serverBuild: ServerBuild = 'src';

/** Every registry started from now on runs `build`. */
export function useServerBuild(build: ServerBuild): void {
  serverBuild = build;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly ca: string;
  readonly pid: number;
  readonly data: DataDir;
  readonly child: BenchChild;
  close(): Promise<void>;
}

/** Replies of the registry, captured once: the echo ceiling sends the same bytes back. */
export interface Captures {
  readonly register: string;
  readonly get: string;
  /** One service as the registry returns it: etcd stores this document. */
  readonly serviceDocument: string;
  /** A fan-out subscriber's event frame, split around its revision and the writer's `bench_t`. */
  readonly event: readonly [string, string, string];
}

/** Subscribes on `socket` as the fan-out subscribers do, registers one service, and splits the event frame it gets. */
async function captureEvent(socket: WebSocket): Promise<readonly [string, string, string]> {
  const subscribed = await roundTrip(socket, JSON.stringify({ id: 'capture-s', type: 'request', action: 'subscribe', params: { events: ['ServiceRegistered'], batch: true } }));
  const refused = responseError(subscribed.text);
  if (refused !== undefined) throw new Error(`capturing an event failed: ${refused}`);
  const frame = new Promise<string>((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const text = data.toString();
      if (!text.startsWith('{"type":"event')) return;
      socket.off('message', onMessage);
      resolve(text);
    };
    socket.on('message', onMessage);
  });
  socket.send(registerFrame(3, 'bench-event', 4_444, 'fan-out', { bench_t: '1.5' }));
  const text = await frame;
  const revision = /"event":"\w+","revision":(\d+)/.exec(text);
  const sentAt = text.indexOf('"bench_t":"1.5"');
  if (revision?.[1] === undefined || sentAt < 0) throw new Error(`capturing an event failed: ${text.slice(0, 300)}`);
  const revisionAt = revision.index + revision[0].length - revision[1].length;
  const timeAt = sentAt + '"bench_t":"'.length;
  return [text.slice(0, revisionAt), text.slice(revisionAt + revision[1].length, timeAt), text.slice(timeAt + '1.5'.length)];
}

/** Thrown by a scenario that cannot run because a capability is not built (or not wired) yet. */
export class NotApplicable extends Error {
  override readonly name = 'NotApplicable';
}

export type Log = (line: string) => void;

/** Starts the registry on `data` in a child process; on the store at `storeUrl` instead of its SQLite file when given. */
export async function startRegistry(data: DataDir, nodeFlags: readonly string[] = [], storeUrl?: string): Promise<RunningServer> {
  const args = [serverBuild, data.dir, ...(storeUrl === undefined ? [] : [storeUrl])];
  const child = await spawnChild(serverScript, args, { nodeFlags, raiseFdLimit: true, tsx: serverBuild === 'src' });
  const ready = child.ready;
  return {
    url: field(ready, 'url', isString),
    port: field(ready, 'port', isNumber),
    ca: field(ready, 'ca', isString),
    pid: child.pid,
    data,
    child,
    close: async () => {
      const exit = await child.close();
      if (exit.code !== 0) throw new Error(`the registry exited with ${exit.code ?? exit.signal}: ${child.stderr()}`);
    },
  };
}

export class BenchContext {
  /** Each scenario's figures, as they finish. */
  readonly results: Partial<AllFigures> = {};
  /** Why a figure is missing: a capability not built yet. */
  readonly notRun: NotRun = {};
  private main: Promise<RunningServer> | undefined;
  private etcdProcess: Promise<EtcdProcess> | undefined;
  private captured: Promise<Captures> | undefined;
  private readonly seeded = new Map<number, Promise<DataDir>>();
  /** How long seeding each count took, in ms. */
  readonly seedMs = new Map<number, number>();

  private mainData: Promise<DataDir> | undefined;
  private mainLabel = 'main';

  constructor(
    readonly plan: BenchPlan,
    readonly root: string,
    readonly log: Log,
    /** Node flags for the registry under load, given the label of its run (e.g. `--cpu-prof-dir=…/register`). */
    private readonly serverFlags: (label: string) => readonly string[] = () => [],
  ) {}

  /** A data folder holding `count` seeded services, made once per count. Do not run two servers on it at once. */
  seededDir(count: number): Promise<DataDir> {
    let dir = this.seeded.get(count);
    if (dir === undefined) {
      dir = (async () => {
        const data = await makeDataDir(this.root, `seeded-${count}`);
        const started = performance.now();
        await seedServices(data.dir, count);
        this.seedMs.set(count, Math.round(performance.now() - started));
        this.log(`seeded ${count} services in ${this.seedMs.get(count)} ms`);
        return data;
      })();
      this.seeded.set(count, dir);
    }
    return dir;
  }

  /** The registry the request/response scenarios and the DNS scenario load: `plan.services` seeded services, DNS on. */
  mainServer(): Promise<RunningServer> {
    this.mainData ??= (async () => {
      const data = await makeDataDir(this.root, 'main');
      await writeFile(join(data.dir, 'backends.toml'), MAIN_CONFIG);
      await seedServices(data.dir, this.plan.services);
      return data;
    })();
    const data = this.mainData;
    this.main ??= data.then((d) => startRegistry(d, this.serverFlags(this.mainLabel)));
    return this.main;
  }

  /** Stops the registry under load; the next `mainServer()` starts a new process on the same data, labelled `label`. */
  async restartMainServer(label: string): Promise<void> {
    const main = this.main;
    this.main = undefined;
    this.mainLabel = label;
    if (main !== undefined) await (await main).close();
  }

  etcd(): Promise<EtcdProcess> {
    this.etcdProcess ??= (async () => {
      const version = ensureEtcdInstalled(this.log);
      const main = await this.mainServer();
      const { tls } = main.data;
      return timed('start', () => startEtcd({ root: this.root, certPath: tls.certPath, keyPath: tls.keyPath, caPem: tls.caPem }, version));
    })();
    return this.etcdProcess;
  }

  captures(): Promise<Captures> {
    this.captured ??= (async () => {
      const main = await this.mainServer();
      const socket = await openSocket(main.url, { ca: main.ca });
      try {
        const register = await roundTrip(socket, registerFrame(1, 'bench-0', 4_444, 'bench service 0'));
        const get = await roundTrip(socket, frameMaker({ kind: 'get', names: 1 }, 0)(2));
        for (const reply of [register, get]) {
          const error = responseError(reply.text);
          if (error !== undefined) throw new Error(`capturing replies failed: ${error}`);
        }
        const parsed: unknown = JSON.parse(get.text);
        const result = typeof parsed === 'object' && parsed !== null && 'result' in parsed ? parsed.result : undefined;
        return { register: register.text, get: get.text, serviceDocument: JSON.stringify(result), event: await captureEvent(socket) };
      } finally {
        await closeSockets([socket]);
      }
    })();
    return this.captured;
  }

  /** Stops what this context started; the caller removes `root`. */
  async close(): Promise<void> {
    const stops: Promise<unknown>[] = [];
    if (this.main) stops.push(this.main.then((s) => s.close()));
    if (this.etcdProcess) stops.push(this.etcdProcess.then((e) => timed('stop', () => e.close())));
    const outcomes = await Promise.allSettled(stops);
    for (const outcome of outcomes) if (outcome.status === 'rejected') this.log(`cleanup: ${String(outcome.reason)}`);
  }
}
