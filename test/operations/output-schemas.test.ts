/**
 * Every operation's output schema against real answers of a real server, in all three dialects:
 * the action envelope's `result`, JSON-RPC `registry.<op>` and the Plexus hub call. An answer must
 * validate and hold exactly its schema's fields, in the schema's order (what the client library
 * and `--json` rely on to hand out the wire answer as it is).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { z } from 'zod';
import { eventWire, type EventType } from '../../src/domain/index.js';
import { type OperationName, operations, typedOperations } from '../../src/operations/index.js';
import { type DialectName, plexusContentSchemas, plexusMethods } from '../../src/protocol/index.js';
import { makePackage, stopLeftovers } from '../deploy/support.js';
import { requirePeer } from '../helpers/peers.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { freePort, type Sshd, sshdUnavailable, startSshd } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;
const DIALECTS = ['envelope', 'jsonrpc', 'hub'] as const satisfies readonly DialectName[];
type Dialect = (typeof DIALECTS)[number];

/** What one dialect answered: the value to check, and the schema it is checked against. */
interface Answered {
  readonly value: unknown;
  readonly schema: z.ZodType;
  readonly what: string;
}

/** The value validates, and serialises exactly as its parse does: no field the schema lacks, keys in its order. */
function assertShape({ value, schema, what }: Answered): void {
  const parsed = schema.safeParse(value);
  assert.ok(parsed.success, `${what}: ${parsed.error?.message ?? ''}\n${JSON.stringify(value)}`);
  assert.equal(JSON.stringify(parsed.data), JSON.stringify(value), `${what}: exactly the schema's fields, in its order`);
}

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const field = (value: unknown, key: string): unknown => (isObj(value) ? value[key] : undefined);

/** Reads frames until `done` says the answer is complete; frames of other requests or streams are kept aside. */
async function collect(ws: RawSocket, done: (frames: readonly Obj[]) => boolean): Promise<Obj[]> {
  const frames: Obj[] = [];
  while (!done(frames)) frames.push(await ws.next(120_000));
  return frames;
}

/** Named Plexus methods answer tagged content; every other `registry.<op>` answers `{type, result}`. */
function plexusAnswer(op: OperationName, method: string, content: unknown): Answered {
  const named = Object.hasOwn(plexusMethods, method) ? plexusMethods[method] : undefined;
  if (named !== undefined) {
    assert.equal(named.op, op, `${method} runs ${op}`);
    const schema: z.ZodType | undefined = Object.hasOwn(plexusContentSchemas, op) ? plexusContentSchemas[op as keyof typeof plexusContentSchemas] : undefined;
    assert.ok(schema !== undefined, `${method} has a content schema`);
    return { value: content, schema, what: `${method} content` };
  }
  assert.equal(field(content, 'type'), op, `${method}: type`);
  assert.deepEqual(Object.keys(isObj(content) ? content : {}), ['type', 'result'], `${method}: {type, result}`);
  return { value: field(content, 'result'), schema: typedOperations[op].output, what: `${method} result` };
}

let nextId = 0;

/** Calls `op` in one dialect over its own socket and returns what to check. */
async function callIn(dialect: Dialect, ws: RawSocket, op: OperationName, params: Obj, method = `registry.${op}`): Promise<Answered> {
  const id = ++nextId;
  if (dialect === 'envelope') {
    ws.send({ id: `r${id}`, type: 'request', action: op, params });
    const [answer] = await collect(ws, (frames) => frames.some((f) => f.id === `r${id}`)).then((frames) => frames.filter((f) => f.id === `r${id}`));
    assert.equal(answer?.error, undefined, `${op}: ${JSON.stringify(answer?.error)}`);
    return { value: answer?.result, schema: typedOperations[op].output, what: `${op} result` };
  }
  if (dialect === 'jsonrpc') {
    ws.send({ jsonrpc: '2.0', id, method, params });
    const answer = (await collect(ws, (frames) => frames.some((f) => f.id === id))).find((f) => f.id === id);
    assert.equal(answer?.error, undefined, `${method}: ${JSON.stringify(answer?.error)}`);
    return plexusAnswer(op, method, answer?.result);
  }
  ws.send({ jsonrpc: '2.0', id, method: 'registry-hub.call', params: { method, params } });
  const frames = await collect(ws, (seen) => {
    const subscription = seen.find((f) => f.id === id)?.result;
    return seen.some((f) => field(f.params, 'subscription') === subscription && field(field(f.params, 'result'), 'type') === 'data');
  });
  const subscription = frames.find((f) => f.id === id)?.result;
  const item = frames.map((f) => field(f.params, 'result')).find((r, i) => field(frames[i]?.params, 'subscription') === subscription && field(r, 'type') === 'data');
  assert.equal(field(item, 'content_type'), method);
  if (op !== 'subscribe') await collect(ws, (seen) => seen.some((f) => field(f.params, 'subscription') === subscription && field(field(f.params, 'result'), 'type') === 'done'));
  return plexusAnswer(op, method, field(item, 'content'));
}

/** What the steps learn as they go, per dialect (subscription ids, tokens, deployment ids). */
const learned: Record<Dialect, Obj> = { envelope: {}, jsonrpc: {}, hub: {} };
const text = (d: Dialect, key: string): string => String(learned[d][key] ?? '');

interface Fixture {
  work: string;
  checkPort: number;
  /** A package per dialect, each a new version, plus one deployed first so that three rollbacks have somewhere to go. */
  packages: Record<Dialect, string>;
}
const fixture: Fixture = { work: '', checkPort: 0, packages: { envelope: '', jsonrpc: '', hub: '' } };

/**
 * One call of every operation, in this order, with params per dialect (names are per dialect so
 * that each dialect registers, updates and removes its own). The type makes a new operation fail
 * to compile until it has a step here.
 */
const steps: { readonly [N in OperationName]: (d: Dialect) => Obj } = {
  register: (d) => ({ name: `hub-${d}`, host: '10.0.0.5', port: 4444, request_id: `register-${d}` }),
  register_service: (d) => ({
    name: `api-${d}`,
    version: '1.4.2',
    tags: ['http'],
    addresses: { local: '127.0.0.1', lan: '10.231.1.1' },
    endpoints: [{ name: 'http', port: 8080, protocol: 'http' }],
    allocate: ['wg0'],
  }),
  update: (d) => ({ name: `hub-${d}`, description: 'updated', metadata: { team: d } }),
  ping: (d) => ({ name: `hub-${d}`, request_id: `ping-${d}` }),
  get_service: (d) => ({ name: `api-${d}`, consistency: 'consistent' }),
  list_services: () => ({ consistency: 'stale' }),
  reload: () => ({}),
  status: () => ({}),
  subscribe: () => ({ events: ['IpReleased'], services: ['nobody'] }),
  unsubscribe: (d) => ({ subscription: text(d, 'subscription') }),
  service_action: (d) => ({ name: `api-${d}`, action: 'start' }),
  set_state: (d) => ({ name: `api-${d}`, state: 'running' }),
  get_topology: () => ({}),
  resolve: (d) => ({ service: `api-${d}` }),
  list_endpoints: (d) => ({ service: `api-${d}` }),
  env: (d) => ({ services: [`api-${d}`] }),
  list_networks: () => ({}),
  allocate_ip: (d) => ({ network: 'wg0', owner: `peer-${d}` }),
  release_ip: (d) => ({ network: 'wg0', owner: `peer-${d}` }),
  list_allocations: () => ({}),
  deploy_package: (d) => ({ package_path: fixture.packages[d], target_node: 'local' }),
  rollback: () => ({ node: 'local', service: 'hello-service' }),
  list_nodes: () => ({}),
  list_deployments: () => ({}),
  get_deployment: (d) => ({ id: text(d, 'deployment') }),
  token_create: (d) => ({ name: `t-${d}`, role: 'read' }),
  token_list: () => ({}),
  authenticate: (d) => ({ token: text(d, 'token') }),
  token_revoke: (d) => ({ name: `t-${d}` }),
  add_check: (d) => ({ service: `api-${d}`, check: { name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: fixture.checkPort } }),
  list_checks: () => ({}),
  get_health: (d) => ({ name: `api-${d}` }),
  remove_check: (d) => ({ service: `api-${d}`, check: 'tcp' }),
  deregister: (d) => ({ name: `hub-${d}` }),
  list_members: () => ({}),
  snapshot: () => ({ consistency: 'consistent' }),
};

/** What a step keeps of an answer for later steps. */
function learn(d: Dialect, op: OperationName, value: unknown): void {
  const from = (content: unknown, key: string): unknown => field(content, key) ?? field(field(content, 'result'), key);
  if (op === 'subscribe') learned[d].subscription = from(value, 'subscription');
  if (op === 'token_create') learned[d].token = from(value, 'token');
  if (op === 'deploy_package') learned[d].deployment = from(value, 'id');
}

const needsSsh: ReadonlySet<OperationName> = new Set(['deploy_package', 'rollback', 'get_deployment']);

describe('operation output schemas', () => {
  let srv: TestServer;
  let work = '';
  let sshd: Sshd | undefined;
  let unavailable: string | undefined;
  const sockets = new Map<Dialect, RawSocket>();
  /** Event frames of every dialect, from subscriptions to every event (a connection each). */
  const eventSockets = new Map<Dialect, RawSocket>();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-outputs-'));
    await chmod(work, 0o755);
    fixture.work = work;
    const dataDir = join(work, 'data');
    await mkdir(dataDir);
    const tables = ['[[network]]', 'name = "wg0"', 'kind = "wireguard"', 'cidr = "10.100.0.0/24"', ''];
    unavailable = await sshdUnavailable();
    if (unavailable === undefined) {
      sshd = await startSshd();
      const node = [
        ...['[[node]]', 'name = "local"', `host = "${sshd.host}"`, `ssh_user = "${sshd.user}"`, `ssh_port = ${sshd.port}`],
        ...[`ssh_key = "${sshd.clientKey}"`, `host_key = "${sshd.hostKeyLine}"`, `install_dir = "${join(work, 'opt')}"`, ''],
      ];
      tables.push(...node);
    }
    await writeFile(join(dataDir, 'backends.toml'), tables.join('\n'));
    srv = await startTestServer({ dataDir });
    fixture.checkPort = await freePort();
    for (const d of DIALECTS) {
      sockets.set(d, await openRawSocket(srv.url, srv.caPem));
      const events = await openRawSocket(srv.url, srv.caPem);
      eventSockets.set(d, events);
      if (d === 'envelope') events.send({ id: 'e', type: 'request', action: 'subscribe', params: {} });
      else if (d === 'jsonrpc') events.send({ jsonrpc: '2.0', id: 'e', method: 'registry.subscribe', params: {} });
      else events.send({ jsonrpc: '2.0', id: 'e', method: 'registry-hub.call', params: { method: 'registry.subscribe', params: {} } });
    }
  });

  after(async () => {
    for (const ws of [...sockets.values(), ...eventSockets.values()]) await ws.close();
    await srv?.close();
    await sshd?.close();
    if (work !== '') {
      await stopLeftovers(join(work, 'opt'));
      await rm(work, { recursive: true, force: true });
    }
  });

  it('has a step for every operation of the table', () => {
    assert.deepEqual(Object.keys(steps).sort(), operations.map((op) => op.name).sort());
  });

  for (const name of Object.keys(steps) as OperationName[]) {
    it(`${name}: a real answer validates against its schema in all three dialects`, { timeout: 240_000 }, async (t: TestContext) => {
      if (needsSsh.has(name) && !requirePeer(t, unavailable === undefined, unavailable ?? '')) return;
      if (name === 'deploy_package') await preparePackages();
      if (name === 'rollback') await deployFirst(sockets, 'envelope');
      for (const d of DIALECTS) {
        const ws = sockets.get(d) ?? assert.fail('no socket');
        const answered = await callIn(d, ws, name, steps[name](d));
        assertShape(answered);
        learn(d, name, answered.value);
      }
    });
  }

  it('answers the Plexus names of operations (list, get, delete, topology, endpoints) in their content schemas', async () => {
    await callIn('jsonrpc', sockets.get('jsonrpc') ?? assert.fail(), 'register', { name: 'gone-rpc', host: '10.0.0.9', port: 1 });
    await callIn('hub', sockets.get('hub') ?? assert.fail(), 'register', { name: 'gone-hub', host: '10.0.0.9', port: 1 });
    for (const d of ['jsonrpc', 'hub'] as const) {
      const ws = sockets.get(d) ?? assert.fail('no socket');
      assertShape(await callIn(d, ws, 'list_services', {}, 'registry.list'));
      assertShape(await callIn(d, ws, 'get_service', { name: `api-${d}` }, 'registry.get'));
      assertShape(await callIn(d, ws, 'get_topology', {}, 'registry.topology'));
      assertShape(await callIn(d, ws, 'list_endpoints', {}, 'registry.endpoints'));
      assertShape(await callIn(d, ws, 'deregister', { name: `gone-${d === 'jsonrpc' ? 'rpc' : 'hub'}` }, 'registry.delete'));
    }
  });

  it('sends every event in every dialect in the event schema', async () => {
    const seen = new Map<Dialect, Set<EventType>>();
    // The last event: each dialect's stream is read up to it.
    await callIn('envelope', sockets.get('envelope') ?? assert.fail(), 'register', { name: 'last-event', host: '10.0.0.9', port: 1 });
    for (const d of DIALECTS) {
      const ws = eventSockets.get(d) ?? assert.fail('no socket');
      const types = new Set<EventType>();
      seen.set(d, types);
      for (let last = false; !last; ) {
        const frame = await ws.next(10_000);
        const event = d === 'envelope' ? frame : d === 'jsonrpc' ? field(frame.params, 'result') : field(field(frame.params, 'result'), 'content');
        if (!isObj(event) || typeof event.event !== 'string') continue;
        const { type: _type, subscription: _subscription, ...body } = event;
        assertShape({ value: body, schema: eventWire, what: `${d} ${event.event}` });
        types.add(event.event as EventType);
        last = field(field(body.data, 'service'), 'name') === 'last-event';
      }
    }
    for (const [d, types] of seen) {
      for (const expected of ['ServiceRegistered', 'ServiceUpdated', 'ServiceDeregistered', 'ServiceStateChanged', 'IpAllocated', 'IpReleased'] as const) {
        assert.ok(types.has(expected), `${d} carried ${expected}: ${[...types].join(', ')}`);
      }
    }
  });
});

let versions = 0;

/** Three packages, one per dialect, each a new version on its own port. */
async function preparePackages(): Promise<void> {
  for (const d of DIALECTS) fixture.packages[d] = await makePackage(fixture.work, { version: `1.0.${++versions}`, port: await freePort() });
}

/**
 * Rollback goes back through the releases deployed: the three dialects' deployments plus one more
 * give each of the three rollbacks a release to go back to.
 */
async function deployFirst(sockets: ReadonlyMap<Dialect, RawSocket>, d: Dialect): Promise<void> {
  const ws = sockets.get(d) ?? assert.fail('no socket');
  const extra = await makePackage(fixture.work, { version: `1.0.${++versions}`, port: await freePort() });
  assertShape(await callIn(d, ws, 'deploy_package', { package_path: extra, target_node: 'local' }));
}
