import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/index.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { openWireSession, type WireSession } from '../helpers/wire-session.js';

type Obj = Record<string, unknown>;

describe('backend TTL', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  let session: WireSession;
  const rpc = (method: string, params: Obj = {}): Promise<Obj> => session.rpc(method, params);
  const activeNames = async (): Promise<string[]> => ((await rpc('registry.list')).backends as Obj[]).map((b) => String(b.name));

  before(async () => {
    session = await openWireSession({ clock });
  });
  after(() => session?.close());

  it('turns a backend inactive once its TTL passes without a ping, and active again after ping', async () => {
    await rpc('registry.register', { name: 'hub3', host: '10.0.0.7', port: 4444, ttl: 30 });
    assert.ok((await activeNames()).includes('hub3'));

    clock.advance(31_000);
    assert.ok(!(await activeNames()).includes('hub3'), 'list (active_only by default) leaves it out');
    const all = (await rpc('registry.list', { active_only: false })).backends as Obj[];
    assert.equal(all.find((b) => b.name === 'hub3')?.is_active, false);
    assert.equal(((await rpc('registry.get', { name: 'hub3' })).backend as Obj).is_active, false);

    assert.equal((await rpc('registry.ping', { name: 'hub3' })).success, true);
    assert.ok((await activeNames()).includes('hub3'));
    const backend = (await rpc('registry.get', { name: 'hub3' })).backend as Obj;
    assert.equal(backend.is_active, true);
    assert.equal(backend.last_seen, Math.floor(clock.now() / 1000));
  });

  it('announces an expiry once with HealthChanged active:false, and the ping that revives it with active:true', async () => {
    const events = await openRawSocket(session.srv.url, session.srv.caPem);
    try {
      events.send({ id: 's', type: 'request', action: 'subscribe', params: { events: ['HealthChanged'], services: ['hub5'] } });
      await events.next();
      await rpc('registry.register', { name: 'hub5', host: '10.0.0.9', port: 4444, ttl: 10 });
      clock.advance(11_000);
      const down = await events.next(5_000);
      assert.equal(down.event, 'HealthChanged');
      assert.equal((down.data as Obj).active, false);
      assert.equal((((down.data as Obj).service as Obj).health as Obj).status, 'critical');
      await assert.rejects(events.next(1_500), /no frame/, 'the expiry is announced once');
      await rpc('registry.ping', { name: 'hub5' });
      const up = await events.next();
      assert.equal((up.data as Obj).active, true);
    } finally {
      await events.close();
    }
  });

  it('applies the default TTL of 90 s to a registration that names none', async () => {
    await rpc('registry.register', { name: 'hub4', host: '10.0.0.8', port: 4444 });
    clock.advance(89_000);
    assert.ok((await activeNames()).includes('hub4'));
    clock.advance(2_000);
    assert.ok(!(await activeNames()).includes('hub4'));
  });

  it('keeps static entries (auto and file) active without pings', async () => {
    clock.advance(24 * 3600 * 1000);
    assert.ok((await activeNames()).includes('plexus'));
  });
});
