import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

describe('service_action and set_state', () => {
  let srv: TestServer;
  let ws: RawSocket;
  let events: RawSocket;
  let n = 0;
  const call = async (action: string, params: Obj): Promise<Obj> => {
    const id = `c${n++}`;
    ws.send({ id, type: 'request', action, params });
    const answer = await ws.next();
    assert.equal(answer.id, id);
    return answer;
  };
  const stateChanges = async (count: number): Promise<string[][]> =>
    (await events.take(count)).map((e) => {
      const data = e.data as Obj;
      return [String(data.old_state), String(data.new_state)];
    });

  before(async () => {
    srv = await startTestServer();
    ws = await openRawSocket(srv.url, srv.caPem);
    events = await openRawSocket(srv.url, srv.caPem);
    events.send({ id: 's', type: 'request', action: 'subscribe', params: { events: ['ServiceStateChanged'], services: ['worker'] } });
    await events.next();
    await call('register_service', { name: 'worker', endpoints: [{ name: 'http', port: 9000 }], addresses: { lan: '10.2.0.4' } });
  });
  after(async () => {
    await events?.close();
    await ws?.close();
    await srv?.close();
  });

  it('emits ServiceStateChanged with old and new state for every step', async () => {
    assert.equal(((await call('service_action', { name: 'worker', action: 'start' })).result as Obj).state, 'starting');
    assert.deepEqual(await stateChanges(1), [['registered', 'starting']]);
    assert.equal(((await call('set_state', { name: 'worker', state: 'running' })).result as Obj).state, 'running');
    assert.deepEqual(await stateChanges(1), [['starting', 'running']]);
    assert.equal(((await call('service_action', { name: 'worker', action: 'restart' })).result as Obj).state, 'starting');
    assert.deepEqual(await stateChanges(3), [['running', 'stopping'], ['stopping', 'stopped'], ['stopped', 'starting']]);
    await call('set_state', { name: 'worker', state: 'failed' });
    assert.deepEqual(await stateChanges(1), [['starting', 'failed']]);
  });

  it('rejects an illegal transition naming both states and changes nothing', async () => {
    const answer = await call('set_state', { name: 'worker', state: 'running' });
    const error = answer.error as Obj;
    assert.equal(error.code, 'illegal_transition');
    assert.match(String(error.message), /'failed' to 'running'/);
    assert.deepEqual(error.details, { from: 'failed', to: 'running' });
    assert.equal(((await call('get_service', { name: 'worker' })).result as Obj).state, 'failed');
    await assert.rejects(events.next(200), /no frame/);
  });

  it('answers not_found for an unknown service and invalid_params for an unknown action', async () => {
    assert.equal(((await call('service_action', { name: 'ghost', action: 'start' })).error as Obj).code, 'not_found');
    const bad = (await call('service_action', { name: 'worker', action: 'explode' })).error as Obj;
    assert.equal(bad.code, 'invalid_params');
    assert.match(String(bad.message), /action/);
  });

  it('filters list_services by state and tags', async () => {
    await call('register_service', { name: 'tagged', host: 'h', port: 1, tags: ['edge', 'eu'] });
    const failed = (await call('list_services', { state: 'failed' })).result as Obj[];
    assert.deepEqual(failed.map((s) => s.name), ['worker']);
    const edge = (await call('list_services', { tags: ['edge', 'eu'] })).result as Obj[];
    assert.deepEqual(edge.map((s) => s.name), ['tagged']);
  });
});
