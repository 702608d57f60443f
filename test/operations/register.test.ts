import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/index.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { openWireSession, type WireSession } from '../helpers/wire-session.js';

type Obj = Record<string, unknown>;

describe('register', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  let session: WireSession;
  /** An action-envelope call: the whole service record comes back. */
  const call = (action: string, params: Obj): Promise<Obj> => session.request(action, params);
  /** A Plexus `registry.register`: answers `backend_registered` or `backend_updated`. */
  const plexusRegister = (params: Obj): Promise<Obj> => session.rpc('registry.register', params);
  const record = (name: string): Promise<Obj> => call('get_service', { name });
  const revision = async (): Promise<number> => Number((await call('status', {})).revision);

  before(async () => {
    session = await openWireSession({ clock });
  });
  after(() => session?.close());

  it('replaces the whole definition of a known name: fields not given take their defaults', async () => {
    const full = { name: 'hub7', host: '10.0.0.7', port: 4444, protocol: 'wss', description: 'seventh', namespace: 'edge', version: '2.1', metadata: { zone: 'a' }, tags: ['blue'], ttl: 30 };
    const first = await plexusRegister(full);
    assert.equal(first.type, 'backend_registered');
    const before = await record('hub7');
    clock.advance(2_000);

    const again = await plexusRegister({ name: 'hub7', host: '10.0.0.8', port: 4445 });
    assert.equal(again.type, 'backend_updated');
    const after = await record('hub7');
    assert.deepEqual(
      { host: after.host, port: after.port, protocol: after.protocol, ttl: after.ttl_seconds, metadata: after.metadata, tags: after.tags },
      { host: '10.0.0.8', port: 4445, protocol: 'ws', ttl: 90, metadata: {}, tags: [] },
    );
    for (const field of ['description', 'namespace', 'version']) assert.equal(after[field], undefined, `${field} is not kept`);
    for (const field of ['id', 'created_at', 'registered_at']) assert.equal(after[field], before[field], `${field} stays`);
    assert.equal(after.updated_at, Math.floor(clock.now() / 1000));
  });

  it('leaves fields not given as they are in update, the call that merges', async () => {
    await plexusRegister({ name: 'hub8', host: '10.0.0.9', port: 4444, protocol: 'wss', description: 'eighth', ttl: 30 });
    await call('update', { name: 'hub8', port: 4446 });
    const merged = await record('hub8');
    assert.deepEqual([merged.port, merged.protocol, merged.description, merged.ttl_seconds], [4446, 'wss', 'eighth', 30]);
  });

  it('spends no revision on a registration that restates the definition, yet counts it as a sign of life', async () => {
    const definition = { name: 'hub9', host: '10.0.0.10', port: 4444, description: 'ninth', ttl: 60 };
    await plexusRegister(definition);
    const at = await revision();
    clock.advance(5_000);
    assert.equal((await plexusRegister(definition)).type, 'backend_updated');
    assert.equal(await revision(), at);
    assert.equal((await record('hub9')).last_seen, Math.floor(clock.now() / 1000));
  });

  it('replaces the checks too: an unchanged check keeps where it stands, a changed one starts over, none removes them', async () => {
    const check = { name: 'port', kind: 'tcp', host: '127.0.0.1', port: session.srv.server.port, interval: 3600, initial_status: 'passing' };
    await call('register', { name: 'web', host: '127.0.0.1', port: 8080, checks: [check] });
    const declaredAt = Math.floor(clock.now() / 1000);
    clock.advance(10_000);

    await call('register', { name: 'web', host: '127.0.0.1', port: 8080, checks: [check] });
    const [kept] = (await record('web')).checks as Obj[];
    assert.equal(kept?.since, declaredAt, 'the same definition keeps its status and since');

    await call('register', { name: 'web', host: '127.0.0.1', port: 8080, checks: [{ ...check, interval: 1800 }] });
    const [changed] = (await record('web')).checks as Obj[];
    assert.deepEqual([changed?.interval, changed?.since], [1800, Math.floor(clock.now() / 1000)]);

    await call('register', { name: 'web', host: '127.0.0.1', port: 8080 });
    assert.equal((await record('web')).checks, undefined, 'a register without checks leaves none');
  });

  it('brings an expired backend back with HealthChanged, exactly as a ping does', async () => {
    const events = await openRawSocket(session.srv.url, session.srv.caPem);
    try {
      events.send({ id: 's', type: 'request', action: 'subscribe', params: { events: ['HealthChanged', 'ServiceUpdated'], services: ['hub10'] } });
      await events.next();
      const definition = { name: 'hub10', host: '10.0.0.11', port: 4444, ttl: 10 };
      await plexusRegister(definition);
      clock.advance(11_000);
      const down = await events.next(5_000);
      assert.deepEqual([down.event, (down.data as Obj).active], ['HealthChanged', false]);

      await plexusRegister(definition);
      const up = await events.next();
      assert.deepEqual([up.event, (up.data as Obj).from, (up.data as Obj).to, (up.data as Obj).active], ['HealthChanged', 'critical', 'passing', true]);
      await assert.rejects(events.next(300), /no frame/, 'the same definition is no ServiceUpdated');
    } finally {
      await events.close();
    }
  });
});
