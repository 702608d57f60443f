import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventServiceName } from '../../src/domain/index.js';
import { eventually } from '../helpers/log-capture.js';
import { startHttpTarget, startTcpTarget, startWsTarget, type HttpTarget } from '../helpers/health-targets.js';
import { openHealthBench, transitions, type HealthBench } from './support.js';

describe('HealthScheduler - thresholds against a real HTTP server', () => {
  let bench: HealthBench;
  let target: HttpTarget;
  before(async () => {
    bench = await openHealthBench();
    target = await startHttpTarget();
  });
  after(async () => {
    await bench.close();
    await target.close();
  });

  it('turns critical after exactly failures_before_critical failures, and passing after success_before_passing', async () => {
    await bench.register('api', [{ name: 'http', kind: 'http', url: `${target.url}/health`, interval: 1, failures_before_critical: 3, success_before_passing: 2, initial_status: 'passing' }]);
    target.answer(500);
    const seen: string[] = [];
    for (let run = 1; run <= 3; run++) {
      const report = await bench.scheduler.runNow('api', 'http');
      seen.push(`${run}:${report?.to ?? '?'}`);
    }
    assert.deepEqual(seen, ['1:passing', '2:passing', '3:critical']);
    assert.equal(target.seen.filter((p) => p.status === 500).length, 3, 'three failing answers were served before critical');
    target.answer(200);
    assert.equal((await bench.scheduler.runNow('api', 'http'))?.to, 'critical', 'one success is not enough');
    assert.equal((await bench.scheduler.runNow('api', 'http'))?.to, 'passing');
    assert.deepEqual(transitions(bench.events, 'api'), ['passing→critical', 'critical→passing']);
  });

  it('does not flap on a single failure', async () => {
    await bench.register('steady', [{ name: 'http', kind: 'http', url: `${target.url}/steady`, failures_before_critical: 2, initial_status: 'passing' }]);
    for (const status of [500, 200, 500, 200, 500, 200]) {
      target.answer(status);
      await bench.scheduler.runNow('steady', 'http');
    }
    assert.equal(bench.status('steady', 'http'), 'passing');
    assert.deepEqual(transitions(bench.events, 'steady'), []);
  });

  it('commits each transition as one revision carrying exactly one HealthChanged', async () => {
    await bench.register('staged', [{ name: 'http', kind: 'http', url: `${target.url}/staged`, failures_before_warning: 1, failures_before_critical: 3, initial_status: 'passing' }]);
    const start = bench.events.length;
    const revision = bench.store.revision;
    target.answer(503);
    const statuses = [];
    for (let run = 0; run < 4; run++) statuses.push((await bench.scheduler.runNow('staged', 'http'))?.to);
    assert.deepEqual(statuses, ['warning', 'warning', 'critical', 'critical']);
    const written = bench.events.slice(start);
    assert.deepEqual(written.map((e) => e.type), ['HealthChanged', 'HealthChanged']);
    assert.deepEqual(transitions(written, 'staged'), ['passing→warning', 'warning→critical']);
    assert.deepEqual(written.map((e) => e.revision), [revision + 1, revision + 2]);
    const last = written.at(-1);
    assert.ok(last?.type === 'HealthChanged' && last.output.includes('503') && last.active === false);
  });

  it('answers undefined for a second run of a check while one is running', async () => {
    await bench.register('busy', [{ name: 'http', kind: 'http', url: `${target.url}/busy`, initial_status: 'passing' }]);
    const first = bench.scheduler.runNow('busy', 'http');
    assert.equal(await bench.scheduler.runNow('busy', 'http'), undefined);
    assert.ok((await first) !== undefined);
  });
});

describe('HealthScheduler - deregister_critical_after', () => {
  it('deregisters a service once its check stayed critical that long, in one write with ServiceDeregistered', async () => {
    const bench = await openHealthBench();
    const target = await startHttpTarget();
    try {
      await bench.register('doomed', [{ name: 'http', kind: 'http', url: target.url, failures_before_critical: 1, deregister_critical_after: '5s', initial_status: 'passing' }]);
      target.answer(500);
      assert.equal((await bench.scheduler.runNow('doomed', 'http'))?.to, 'critical');
      bench.clock.advance(4_000);
      assert.equal((await bench.scheduler.runNow('doomed', 'http'))?.deregistered, false);
      assert.ok(bench.store.services.get('doomed'));
      bench.clock.advance(1_000);
      assert.equal((await bench.scheduler.runNow('doomed', 'http'))?.deregistered, true);
      assert.equal(bench.store.services.get('doomed'), undefined);
      assert.deepEqual(bench.events.filter((e) => eventServiceName(e) === 'doomed').map((e) => e.type), ['ServiceRegistered', 'HealthChanged', 'ServiceDeregistered']);
    } finally {
      await bench.close();
      await target.close();
    }
  });
});

describe('HealthScheduler - TCP and WebSocket targets that stop and start again', () => {
  let bench: HealthBench;
  before(async () => {
    bench = await openHealthBench();
  });
  after(() => bench.close());

  it('follows a TCP listener going away and coming back on the same port', async () => {
    const tcp = await startTcpTarget();
    try {
      await bench.register('db', [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: tcp.port, failures_before_critical: 1, initial_status: 'passing' }]);
      assert.equal((await bench.scheduler.runNow('db', 'tcp'))?.to, 'passing');
      await tcp.stop();
      const down = await bench.scheduler.runNow('db', 'tcp');
      assert.equal(down?.to, 'critical');
      assert.match(down?.result.output ?? '', /ECONNREFUSED/);
      await tcp.start();
      assert.equal((await bench.scheduler.runNow('db', 'tcp'))?.to, 'passing');
      assert.deepEqual(transitions(bench.events, 'db'), ['passing→critical', 'critical→passing']);
    } finally {
      await tcp.close();
    }
  });

  it('calls one JSON-RPC method after the handshake and wants a well-formed result', async () => {
    const ws = await startWsTarget();
    try {
      await bench.register('hub', [
        { name: 'rpc', kind: 'ws', url: `${ws.url}/hub`, rpc_method: 'registry-hub.call', rpc_params: { method: '_info' }, failures_before_critical: 1 },
        { name: 'bad', kind: 'ws', url: ws.url, rpc_method: 'fail', failures_before_critical: 1, initial_status: 'passing' },
      ]);
      const good = await bench.scheduler.runNow('hub', 'rpc');
      assert.equal(good?.to, 'passing', good?.result.output);
      assert.match(good?.result.output ?? '', /registry-hub\.call/);
      assert.equal((await bench.scheduler.runNow('hub', 'bad'))?.to, 'critical');
      await ws.stop();
      assert.equal((await bench.scheduler.runNow('hub', 'rpc'))?.to, 'critical');
      await ws.start();
      assert.equal((await bench.scheduler.runNow('hub', 'rpc'))?.to, 'passing');
      assert.ok(ws.seen.every((probe) => probe.userAgent === 'service-registry health check (test)'));
    } finally {
      await ws.close();
    }
  });
});

describe('HealthScheduler - on its own timers', () => {
  it('runs every check on its schedule with at most max_concurrent at once, never one check twice at once', async () => {
    const bench = await openHealthBench({ maxConcurrent: 2 });
    const target = await startHttpTarget();
    try {
      target.delay(400);
      for (let i = 0; i < 6; i++) {
        await bench.register(`slow-${i}`, [{ name: 'http', kind: 'http', url: `${target.url}/slow-${i}`, interval: 1, timeout: '900ms', initial_status: 'passing' }]);
      }
      await bench.scheduler.start();
      await eventually(async () => {
        const paths = new Set(target.seen.map((p) => p.path));
        return paths.size === 6 && target.seen.length >= 18 ? true : undefined;
      }, 30_000, 'every check ran, three times over');
      assert.equal(target.maxInFlight.all, 2, 'the pool bounds the checks running at once');
      assert.equal(target.maxInFlight.perPath, 1, 'no check ever ran twice at once');
      const stats = bench.scheduler.stats();
      assert.equal(stats.checks, 6);
      assert.equal(stats.shards, 64, 'alone on SQLite, this server holds every shard');
      assert.ok(stats.runs + stats.running >= target.seen.length, 'every probe the target saw is a run, finished or going');
    } finally {
      await bench.close();
      await target.close();
    }
  });

  it('keeps the first output of a check that starts critical and stays so, without an event', async () => {
    const bench = await openHealthBench();
    try {
      await bench.register('never', [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: 9 }]);
      const revision = bench.store.revision;
      const report = await bench.scheduler.runNow('never', 'tcp');
      assert.deepEqual([report?.from, report?.to], ['critical', 'critical']);
      const kept = bench.store.services.get('never')?.checks?.[0];
      assert.match(kept?.output ?? '', /TCP connect 127\.0\.0\.1:9: .*ECONNREFUSED/);
      assert.equal(bench.store.revision, revision, 'no revision, no event');
    } finally {
      await bench.close();
    }
  });

  it('does not run script checks on a server that does not allow them', async () => {
    const bench = await openHealthBench({ allowScripts: false });
    try {
      await bench.register('job', [{ name: 'script', kind: 'script', command: ['/bin/true'], interval: 1 }]);
      await bench.scheduler.start();
      assert.equal(bench.scheduler.stats().checks, 0);
    } finally {
      await bench.close();
    }
  });
});
