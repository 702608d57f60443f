import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { DEFAULT_SHARD_COUNT } from '../../src/health/index.js';
import { startHttpTarget, type HttpTarget, type SeenProbe } from '../helpers/health-targets.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startClusterServer, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { type ServerProcess, spawnServerProcess } from '../helpers/server-process.js';
import type { TestServer } from '../helpers/test-server.js';

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

const SERVICES = 24;
const paths = Array.from({ length: SERVICES }, (_, i) => `/svc-${i}`);
/** Which server ran a probe: the pid in its User-Agent (`… (host, pid N)`). */
const pidOf = (probe: SeenProbe): number => Number(/pid (\d+)\)$/.exec(probe.userAgent)?.[1] ?? 0);

/** The servers that probed each path among `probes`. */
function runnersByPath(probes: readonly SeenProbe[]): Map<string, Set<number>> {
  const byPath = new Map<string, Set<number>>(paths.map((path) => [path, new Set()]));
  for (const probe of probes) byPath.get(probe.path)?.add(pidOf(probe));
  return byPath;
}

/** Waits until every path was probed at least `runs` times after `from`, and answers those probes. */
async function probesAfter(target: HttpTarget, from: number, runs: number): Promise<SeenProbe[]> {
  return eventually(async () => {
    const window = target.seen.slice(from);
    return paths.every((path) => window.filter((p) => p.path === path).length >= runs) ? window : undefined;
  }, 30_000, `every check run ${runs} times`);
}

const shardsOf = async (client: RegistryClient): Promise<number> => (await client.status()).health?.shards ?? -1;

describe('health checks shared by two servers on PostgreSQL', () => {
  it('runs each check on exactly one server, and the survivor takes over the checks of a SIGKILLed one', async (t) => {
    if (!requirePeer(t, postgres !== undefined, started.ok ? '' : started.reason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-health-cluster-'));
    await chmod(dataDir, 0o755);
    const target = await startHttpTarget();
    let a: ServerProcess | undefined;
    let b: TestServer | undefined;
    const clients: RegistryClient[] = [];
    try {
      a = await spawnServerProcess(dataDir, { storeUrl: url });
      b = await startClusterServer(url);
      const onA = await RegistryClient.connect(a.url, { ca: a.caPem });
      const onB = await RegistryClient.connect(b.url, { ca: b.caPem });
      clients.push(onA, onB);
      for (const [i, path] of paths.entries()) {
        const check = { name: 'http', kind: 'http' as const, url: `${target.url}${path}`, interval: 1, initial_status: 'passing' as const };
        await (i % 2 === 0 ? onA : onB).register({ name: `svc-${i}`, host: '127.0.0.1', port: target.port, checks: [check] });
      }
      const half = DEFAULT_SHARD_COUNT / 2;
      await eventually(async () => ((await shardsOf(onA)) === half && (await shardsOf(onB)) === half ? true : undefined), 30_000, 'the shards split evenly');

      const shared = runnersByPath(await probesAfter(target, target.seen.length, 3));
      for (const [path, runners] of shared) assert.equal(runners.size, 1, `${path} ran on ${[...runners].join(' and ')}`);
      const owners = new Set([...shared.values()].flatMap((runners) => [...runners]));
      assert.deepEqual([...owners].sort(), [a.pid, process.pid].sort(), 'both servers run checks');
      const ofA = [...shared].filter(([, runners]) => runners.has(a?.pid ?? -1)).map(([path]) => path);

      a.kill('SIGKILL');
      assert.equal((await a.exited).signal, 'SIGKILL');
      await eventually(async () => ((await shardsOf(onB)) === DEFAULT_SHARD_COUNT ? true : undefined), 30_000, 'B holds every shard');
      const after = runnersByPath(await probesAfter(target, target.seen.length, 3));
      for (const [path, runners] of after) assert.deepEqual([...runners], [process.pid], `${path} runs on B alone`);
      assert.ok(ofA.length > 0 && ofA.every((path) => after.get(path)?.has(process.pid)), 'the checks A ran moved to B');
    } finally {
      for (const client of clients) await client.close();
      await b?.close();
      await a?.close();
      await target.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
