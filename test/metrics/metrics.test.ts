/**
 * /metrics against a real server: each scrape is read with the strict reader of the client
 * (src/client/metrics-text.ts), and the counters move with real requests, commits, expiries,
 * probes and allocations.
 */
import assert from 'node:assert/strict';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MetricFamily, RegistryClient, sampleSum } from '../../src/client/index.js';
import { ManualClock, RegistryError } from '../../src/domain/index.js';
import type { Deployer } from '../../src/operations/index.js';
import { RegistryMetrics } from '../../src/metrics/index.js';
import { countedDeployer } from '../../src/server/internal.js';
import { startTcpTarget, type Target } from '../helpers/health-targets.js';
import { fetchHttps, openSse } from '../helpers/http.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Families = ReadonlyMap<string, MetricFamily>;
const NETWORKS = '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.100.0.0/24"\n';

/** Scrapes until `ready` holds, at most `timeoutMs`: for work that happens on the server's own timers. */
async function scrapeUntil(client: RegistryClient, ready: (families: Families) => boolean, timeoutMs = 10_000): Promise<Families> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const families = await client.metrics();
    if (ready(families) || Date.now() > deadline) return families;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('/metrics', () => {
  const clock = new ManualClock(Date.now());
  let srv: TestServer;
  let client: RegistryClient;
  let target: Target;

  before(async () => {
    srv = await startTestServer({ clock, configText: NETWORKS });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    target = await startTcpTarget();
  });
  after(async () => {
    await client?.close();
    await srv?.close();
    await target?.close();
  });

  it('reads strictly, and names everything under registry_ with units in the name and counters ending in _total', async () => {
    const scrape = await fetchHttps(srv, '/metrics');
    assert.equal(scrape.status, 200);
    assert.match(String(scrape.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const families = await client.metrics();
    for (const family of families.values()) {
      assert.match(family.name, /^registry_[a-z0-9_]+$/, family.name);
      if (family.type === 'counter') assert.match(family.name, /_total$/, family.name);
      assert.notEqual(family.help, '', `${family.name} has help`);
    }
    for (const name of ['registry_requests_total', 'registry_request_duration_seconds', 'registry_open_connections', 'registry_subscriptions', 'registry_events_total', 'registry_event_delivery_lag_seconds', 'registry_store_batch_writes', 'registry_store_commit_duration_seconds', 'registry_store_errors_total', 'registry_ttl_expiries_total', 'registry_health_checks_total', 'registry_health_check_duration_seconds', 'registry_deployments_total', 'registry_ip_pool_addresses', 'registry_ip_pool_allocated_addresses', 'registry_process_cpu_seconds_total', 'registry_process_resident_memory_bytes', 'registry_nodejs_eventloop_lag_seconds']) {
      assert.ok(families.has(name), `${name} is exposed`);
    }
  });

  it('counts requests by operation, dialect and outcome, with their latency', async () => {
    const count = (f: Families, labels: Record<string, string>) => sampleSum(f, 'registry_requests_total', 'registry_requests_total', labels);
    const seconds = (f: Families, labels: Record<string, string>) => sampleSum(f, 'registry_request_duration_seconds', 'registry_request_duration_seconds_count', labels);
    const before = await client.metrics();
    for (const name of ['m1', 'm2', 'm3']) await client.register({ name, host: '10.0.0.1', port: 1 });
    await assert.rejects(client.getService({ name: 'nope' }), { code: 'not_found' });
    await fetchHttps(srv, '/v1/services');
    await fetchHttps(srv, '/v1/services?active_only=maybe');
    const raw = await openRawSocket(srv.url, srv.caPem);
    raw.send({ jsonrpc: '2.0', id: 1, method: 'registry.list', params: {} });
    raw.send({ jsonrpc: '2.0', id: 2, method: 'registry.nothing', params: {} });
    await raw.take(2);
    await raw.close();
    const after = await client.metrics();
    const moved = (labels: Record<string, string>) => count(after, labels) - count(before, labels);
    assert.equal(moved({ operation: 'register', dialect: 'envelope', outcome: 'ok' }), 3);
    assert.equal(moved({ operation: 'get_service', dialect: 'envelope', outcome: 'not_found' }), 1);
    assert.equal(moved({ operation: 'list_services', dialect: 'http', outcome: 'ok' }), 1);
    assert.equal(moved({ operation: 'list_services', dialect: 'http', outcome: 'invalid_params' }), 1);
    assert.equal(moved({ operation: 'list_services', dialect: 'jsonrpc', outcome: 'ok' }), 1);
    // A caller's unknown method never becomes a label of its own.
    assert.equal(moved({ operation: 'unknown', dialect: 'jsonrpc', outcome: 'unknown_operation' }), 1);
    assert.equal(seconds(after, { operation: 'register', dialect: 'envelope' }) - seconds(before, { operation: 'register', dialect: 'envelope' }), 3);
  });

  it('counts committed events and group commits with their size and latency, and the delivery lag of events sent to subscribers', async () => {
    const events = (f: Families) => sampleSum(f, 'registry_events_total', 'registry_events_total', { type: 'ServiceRegistered' });
    const batches = (f: Families) => sampleSum(f, 'registry_store_batch_writes', 'registry_store_batch_writes_sum');
    const commits = (f: Families) => sampleSum(f, 'registry_store_commit_duration_seconds', 'registry_store_commit_duration_seconds_count');
    const lag = (f: Families) => sampleSum(f, 'registry_event_delivery_lag_seconds', 'registry_event_delivery_lag_seconds_count');
    const reader = await openSse(srv, '/v1/events?events=ServiceRegistered');
    try {
      await reader.next();
      const before = await client.metrics();
      await Promise.all(['e1', 'e2', 'e3', 'e4'].map((name) => client.register({ name, host: '10.0.0.1', port: 1 })));
      for (let i = 0; i < 4; i++) await reader.next();
      const after = await client.metrics();
      assert.equal(events(after) - events(before), 4);
      assert.equal(batches(after) - batches(before), 4, 'every write is in some batch');
      assert.ok(commits(after) - commits(before) >= 1);
      assert.equal(lag(after) - lag(before), 4);
    } finally {
      reader.close();
    }
  });

  it('shows the open connections and subscriptions by transport', async () => {
    const open = (f: Families, family: string, transport: string) => sampleSum(f, family, family, { transport });
    const quiet = await scrapeUntil(client, (f) => open(f, 'registry_open_connections', 'sse') === 0);
    const reader = await openSse(srv, '/v1/events');
    const stream = client.subscribe({ events: ['IpAllocated'] });
    const iterator = stream[Symbol.asyncIterator]();
    const first = iterator.next();
    try {
      await reader.next();
      const busy = await scrapeUntil(client, (f) => open(f, 'registry_subscriptions', 'websocket') >= 1);
      assert.equal(open(busy, 'registry_open_connections', 'sse'), 1);
      assert.equal(open(busy, 'registry_subscriptions', 'sse'), 1);
      assert.ok(open(busy, 'registry_open_connections', 'websocket') >= open(quiet, 'registry_open_connections', 'websocket') + 1);
      assert.equal(open(busy, 'registry_subscriptions', 'websocket'), 1);
    } finally {
      reader.close();
      await stream.close();
      await first.catch(() => undefined);
    }
  });

  it('shows the size and use of each IP pool', async () => {
    const before = await client.metrics();
    assert.equal(sampleSum(before, 'registry_ip_pool_addresses', 'registry_ip_pool_addresses', { network: 'wg0' }), 254);
    await client.allocateIp({ network: 'wg0', owner: 'pool-user' });
    const after = await client.metrics();
    const held = (f: Families) => sampleSum(f, 'registry_ip_pool_allocated_addresses', 'registry_ip_pool_allocated_addresses', { network: 'wg0' });
    assert.equal(held(after) - held(before), 1);
  });

  it('counts TTL expiries', async () => {
    const expiries = (f: Families) => sampleSum(f, 'registry_ttl_expiries_total', 'registry_ttl_expiries_total');
    const before = await client.metrics();
    await client.register({ name: 'short', host: '10.0.0.1', port: 1, ttl: 5 });
    clock.advance(6_000);
    const after = await scrapeUntil(client, (f) => expiries(f) > expiries(before));
    assert.equal(expiries(after) - expiries(before), 1);
  });

  it('counts health-check runs by kind and result, with their durations', async () => {
    const runs = (f: Families) => sampleSum(f, 'registry_health_checks_total', 'registry_health_checks_total', { kind: 'tcp', result: 'pass' });
    const timed = (f: Families) => sampleSum(f, 'registry_health_check_duration_seconds', 'registry_health_check_duration_seconds_count', { kind: 'tcp' });
    await client.register({ name: 'probed', host: '127.0.0.1', port: target.port, ttl: 86_400 });
    await client.addCheck({ service: 'probed', check: { name: 'port', kind: 'tcp', host: '127.0.0.1', port: target.port, interval: '1s' } });
    const after = await scrapeUntil(client, (f) => runs(f) >= 1);
    assert.ok(runs(after) >= 1, 'a passing tcp run is counted');
    assert.equal(timed(after), runs(after) + sampleSum(after, 'registry_health_checks_total', 'registry_health_checks_total', { kind: 'tcp', result: 'fail' }) + sampleSum(after, 'registry_health_checks_total', 'registry_health_checks_total', { kind: 'tcp', result: 'warn' }));
  });
});

describe('/metrics and storage faults', () => {
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv?.close());

  it('counts a group commit the storage failed by its error code', async () => {
    // Sent once: the client would send an `unavailable` write again, and each attempt is a failed commit.
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem, retries: 0 });
    try {
      await unlink(join(srv.dataDir, 'registry.db'));
      await assert.rejects(client.register({ name: 'lost', host: '10.0.0.1', port: 1 }), { code: 'unavailable' });
      const families = await client.metrics();
      assert.equal(sampleSum(families, 'registry_store_errors_total', 'registry_store_errors_total', { code: 'unavailable' }), 1);
    } finally {
      await client.close();
    }
  });
});

describe('deployments in the metrics', () => {
  it('counts each deployment and rollback by outcome; a request refused before it began is no deployment', async () => {
    const metrics = new RegistryMetrics();
    const record = { id: 'd1', kind: 'deploy', node: 'n', service: 's', version: '1', status: 'succeeded', startedAt: 0, steps: [] } as const;
    const failures = [
      new RegistryError('deployment_failed', 'failed at start', { details: { deployment_id: 'd2', step: 'start' } }),
      new RegistryError('deployment_failed', 'rolled back', { details: { deployment_id: 'd3', step: 'health', rolled_back_to: '1' } }),
      new RegistryError('deployment_in_progress', 'busy', { details: { node: 'n', service: 's' } }),
    ];
    let next = 0;
    const deployer: Deployer = {
      deploy: async () => record,
      rollback: async () => {
        throw failures[next++];
      },
    };
    const counted = countedDeployer(deployer, metrics);
    await counted.deploy({ packagePath: '/p', node: 'n' });
    for (let i = 0; i < failures.length; i++) await assert.rejects(counted.rollback({ node: 'n', service: 's' }));
    const text = await metrics.registry.getSingleMetricAsString('registry_deployments_total');
    assert.match(text, /registry_deployments_total\{kind="deploy",outcome="succeeded"\} 1/);
    assert.match(text, /registry_deployments_total\{kind="rollback",outcome="failed"\} 1/);
    assert.match(text, /registry_deployments_total\{kind="rollback",outcome="rolled_back"\} 1/);
    assert.doesNotMatch(text, /deployment_in_progress/);
  });
});
