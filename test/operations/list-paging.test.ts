import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { ManualClock, type ServicePageWire, type ServiceWire } from '../../src/domain/index.js';
import { runCaptured } from '../helpers/cli.js';
import { fetchHttps } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { openRawSocket } from '../helpers/raw-socket.js';

const names = (list: readonly ServiceWire[]): string[] => list.map((s) => s.name);
const page = (answer: unknown): ServicePageWire => answer as ServicePageWire;

/** Walks a listing with `limit` through the envelope; answers every page. */
async function walk(client: RegistryClient, limit: number, between: (index: number) => Promise<void> = async () => undefined): Promise<ServicePageWire[]> {
  const pages: ServicePageWire[] = [];
  let cursor: string | undefined;
  do {
    pages.push(page(await client.call('list_services', { limit, ...(cursor === undefined ? {} : { cursor }) })));
    await between(pages.length);
    cursor = pages.at(-1)?.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

describe('list_services paging', () => {
  let srv: TestServer;
  let client: RegistryClient;
  const clock = new ManualClock(Date.now());
  before(async () => {
    srv = await startTestServer({ clock });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    for (let i = 0; i < 23; i++) await client.register({ name: `p-${String(i).padStart(2, '0')}`, host: '10.0.0.5', port: 5000 + i });
  });
  after(async () => {
    await client.close();
    await srv.close();
  });

  it('gives across all its pages exactly the unpaged list, in order, with next_cursor null at the end', async () => {
    const whole = page(await client.call('list_services', {})) as unknown as ServiceWire[];
    const pages = await walk(client, 5);
    assert.equal(pages.length, Math.ceil(whole.length / 5));
    assert.deepEqual(
      pages.flatMap((p) => names(p.services)),
      names(whole),
    );
    assert.equal(pages.at(-1)?.next_cursor, null);
    assert.ok(pages.slice(0, -1).every((p) => typeof p.next_cursor === 'string' && p.services.length === 5));
  });

  it('shows the state of its first page to the end, whatever is written between pages', async () => {
    const before = names((await client.call('list_services', {})) as unknown as ServiceWire[]);
    const pages = await walk(client, 4, async (index) => {
      if (index !== 2) return;
      await client.register({ name: 'a-new-first', host: '10.0.0.9', port: 1 });
      await client.register({ name: 'zz-new-last', host: '10.0.0.9', port: 2 });
      await client.deregister({ name: 'p-20' });
      await client.update({ name: 'p-10', description: 'changed meanwhile' });
    });
    assert.deepEqual(pages.flatMap((p) => names(p.services)), before);
    assert.equal(new Set(pages.map((p) => p.revision)).size, 1, 'every page carries the first page\'s revision');
    const changed = pages.flatMap((p) => p.services).find((s) => s.name === 'p-10');
    assert.equal(changed?.description, undefined, 'a service changed meanwhile shows as it was');
    const now = names((await client.call('list_services', {})) as unknown as ServiceWire[]);
    assert.ok(now.includes('a-new-first') && now.includes('zz-new-last') && !now.includes('p-20'));
  });

  it('refuses a bad limit or cursor, naming the field', async () => {
    const refuses = (input: Record<string, unknown>, field: string) =>
      assert.rejects(client.call('list_services', input as never), (error: { code: string; details: { fields: { path: string }[] } }) => {
        assert.equal(error.code, 'invalid_params');
        assert.ok(error.details.fields.some((f) => f.path === field), JSON.stringify(error.details));
        return true;
      });
    await refuses({ limit: 0 }, 'limit');
    await refuses({ limit: 10_001 }, 'limit');
    await refuses({ limit: 2.5 }, 'limit');
    await refuses({ limit: 'ten' }, 'limit');
    await refuses({ cursor: 'abc' }, 'limit');
    await refuses({ limit: 2, cursor: '' }, 'cursor');
    await refuses({ limit: 2, cursor: '../../etc/passwd' }, 'cursor');
    await refuses({ limit: 2, cursor: 'x'.repeat(5_000) }, 'cursor');
    await refuses({ limit: 2, cursor: Buffer.from('{"v":1,"s":"0123456789abcdef","a":"$(rm -rf)"}').toString('base64url') }, 'cursor');
    await refuses({ limit: 2, cursor: Buffer.from('not json').toString('base64url') }, 'cursor');
    const first = page(await client.call('list_services', { limit: 2 }));
    await refuses({ limit: 2, cursor: first.next_cursor, namespace: 'other' }, 'cursor');
    // The server still answers after all of it.
    assert.equal(page(await client.call('list_services', { limit: 2, cursor: first.next_cursor })).services.length, 2);
  });

  it('answers cursor_expired for a cursor past its lifetime, or one this server never issued', async () => {
    const first = page(await client.call('list_services', { limit: 3 }));
    clock.advance(61_000);
    await assert.rejects(client.call('list_services', { limit: 3, cursor: first.next_cursor ?? '' }), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'cursor_expired');
      assert.match(error.message, /list again without cursor/);
      return true;
    });
    const foreign = Buffer.from(JSON.stringify({ v: 1, s: '0123456789abcdef0123456789abcdef', a: 'p-03' })).toString('base64url');
    await assert.rejects(client.call('list_services', { limit: 3, cursor: foreign }), { code: 'cursor_expired' });
  });

  it('pages in the JSON-RPC dialect, with the cursor and revision beside the backends', async () => {
    const ws = await openRawSocket(srv.url, srv.caPem);
    try {
      const call = async (id: number, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
        ws.send({ jsonrpc: '2.0', id, method: 'registry.list', params });
        const answer = await ws.next();
        assert.equal(answer.id, id);
        return answer.result as Record<string, unknown>;
      };
      const first = (await call(1, { active_only: false, limit: 2 })) as { type: string; backends: { name: string }[]; next_cursor: string; revision: number };
      assert.equal(first.type, 'backends');
      assert.equal(first.backends.length, 2);
      const next = (await call(2, { active_only: false, limit: 2, cursor: first.next_cursor })) as { backends: { name: string }[]; revision: number };
      assert.equal(next.revision, first.revision);
      assert.ok((next.backends[0]?.name ?? '') > (first.backends[1]?.name ?? ''));
      const unpaged = await call(3, { active_only: false });
      assert.deepEqual(Object.keys(unpaged).sort(), ['backends', 'type'], 'without limit, the upstream shape');
    } finally {
      await ws.close();
    }
  });

  it('pages GET /v1/services with limit and cursor', async () => {
    const first = JSON.parse((await fetchHttps(srv, '/v1/services?limit=3')).body) as ServicePageWire;
    assert.equal(first.services.length, 3);
    const second = await fetchHttps(srv, `/v1/services?limit=3&cursor=${first.next_cursor ?? ''}`);
    assert.equal(second.status, 200);
    assert.equal((JSON.parse(second.body) as ServicePageWire).revision, first.revision);
    assert.equal((await fetchHttps(srv, '/v1/services?limit=0')).status, 400);
  });

  it('RegistryClient reads every page by itself, and hands them out one by one', async () => {
    const whole = (await client.call('list_services', {})) as unknown as ServiceWire[];
    assert.deepEqual(names(await client.listServices({}, { pageSize: 2 })), names(whole));
    const pages: ServicePageWire[] = [];
    for await (const one of client.listServicePages({}, { pageSize: 7 })) pages.push(one);
    assert.equal(pages.length, Math.ceil(whole.length / 7));
    assert.deepEqual(pages.flatMap((p) => names(p.services)), names(whole));
  });

  it('the CLI list prints every service whatever the page size', async () => {
    const caFile = `${srv.dataDir}/tls/ca.pem`;
    const result = await runCaptured(['--url', srv.url, '--ca', caFile, '--json', 'list', '--all', '--page-size', '2'], { env: {}, cwd: srv.dataDir });
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as ServiceWire[];
    const whole = (await client.call('list_services', {})) as unknown as ServiceWire[];
    assert.deepEqual(names(printed), names(whole));
  });
});
