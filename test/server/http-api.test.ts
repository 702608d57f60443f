/**
 * The HTTP read API against a real server: the same answers as the action envelope (byte for
 * byte), query parameters read by each operation's input schema, errors as the envelope's error
 * object with a fitting status, HEAD wherever GET works, and the roles of issue 11.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { RegistryClient } from '../../src/client/index.js';
import { typedOperations } from '../../src/operations/index.js';
import { httpRoutes } from '../../src/protocol/index.js';
import { issueClientCertificate } from '../../src/server/index.js';
import { envelope, openSocket } from '../security/support.js';
import { fetchHttps } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NETWORKS = '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.100.0.0/24"\n';

type Obj = Record<string, unknown>;
const errorOf = (body: string): Obj => (JSON.parse(body) as { error: Obj }).error;

/** One action-envelope request on a plain WebSocket: the answer frame's text, exactly as it came. */
async function rawEnvelope(srv: TestServer, action: string, params: Obj): Promise<string> {
  const socket = new WebSocket(srv.url, { ca: srv.caPem, perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(JSON.stringify({ id: 'r1', type: 'request', action, params }));
    return await answer;
  } finally {
    socket.close();
  }
}

describe('HTTP read API', () => {
  let srv: TestServer;
  let client: RegistryClient;

  before(async () => {
    srv = await startTestServer({ configText: NETWORKS });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await client.call('register_service', { name: 'api', host: '10.1.0.8', port: 8443, namespace: 'prod', tags: ['edge', 'v2'] });
    await client.register({ name: 'hub2', host: '10.0.0.5', port: 4444 });
    await client.allocateIp({ network: 'wg0', owner: 'api' });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
  });

  it('answers GET /v1/services byte for byte as the action envelope carries list_services in result', async () => {
    const frame = await rawEnvelope(srv, 'list_services', {});
    const http = await fetchHttps(srv, '/v1/services');
    assert.equal(http.status, 200);
    assert.equal(http.headers['content-type'], 'application/json; charset=utf-8');
    const head = '{"id":"r1","type":"response","result":';
    assert.ok(frame.startsWith(head) && frame.endsWith('}'));
    assert.equal(http.body, frame.slice(head.length, -1));
  });

  it('answers every route in the wire shape of its operation, with the revision it is at least as new as', async () => {
    const paths: Record<string, string> = { '/v1/services/{name}': '/v1/services/api', '/v1/resolve/{name}': '/v1/resolve/api' };
    for (const route of httpRoutes) {
      if (route.op === 'subscribe') continue;
      const path = paths[route.path] ?? route.path;
      const answer = await fetchHttps(srv, path);
      assert.equal(answer.status, 200, `${path}: ${answer.body}`);
      typedOperations[route.op].output.parse(JSON.parse(answer.body));
      assert.match(String(answer.headers['x-registry-revision']), /^\d+$/, path);
    }
  });

  it('reads query parameters as the input schema expects: booleans, numbers, lists repeated or comma-separated', async () => {
    const names = async (path: string): Promise<string[]> => (JSON.parse((await fetchHttps(srv, path)).body) as Obj[]).map((s) => String(s.name));
    assert.deepEqual(await names('/v1/services?namespace=prod'), ['api']);
    assert.deepEqual(await names('/v1/services?tags=edge,v2'), ['api']);
    assert.deepEqual(await names('/v1/services?tags=edge&tags=nope'), []);
    assert.deepEqual(await names('/v1/services?active_only=true&state=registered'), ['api', 'hub2', 'plexus']);
    const limited = await fetchHttps(srv, '/v1/deployments?limit=5');
    assert.equal(limited.status, 200);
    const allocations = JSON.parse((await fetchHttps(srv, '/v1/allocations?network=wg0')).body) as Obj[];
    assert.deepEqual(allocations.map((a) => a.owner), ['api']);
  });

  it('takes an object parameter as JSON text: resolve with a declared caller answers as the envelope does', async () => {
    const caller = { addresses: ['10.100.0.0/24'] };
    const http = await fetchHttps(srv, `/v1/resolve/api?caller=${encodeURIComponent(JSON.stringify(caller))}`);
    assert.equal(http.status, 200, http.body);
    const envelope = JSON.parse(await rawEnvelope(srv, 'resolve', { service: 'api', caller })) as { result: Obj };
    assert.equal(http.body, JSON.stringify(envelope.result));
    // Read as an object: the schema judges its fields, and text that is not JSON is named as such.
    const unknownField = await fetchHttps(srv, `/v1/resolve/api?caller=${encodeURIComponent('{"bogus":1}')}`);
    assert.equal(unknownField.status, 400);
    assert.match(String(errorOf(unknownField.body).message), /caller: .*bogus/);
    const notJson = await fetchHttps(srv, '/v1/resolve/api?caller=%7Bnot-json');
    assert.equal(notJson.status, 400);
    assert.match(String(errorOf(notJson.body).message), /caller: .*object/);
  });

  it('names each bad field, unknown parameters included, with invalid_params and 400', async () => {
    const bad = await fetchHttps(srv, '/v1/services?active_only=maybe&colour=red');
    assert.equal(bad.status, 400);
    const error = errorOf(bad.body);
    assert.equal(error.code, 'invalid_params');
    const fields = (error.details as { fields: { path: string; message: string }[] }).fields;
    assert.deepEqual(fields.map((f) => f.path), ['active_only', '(params)']);
    assert.match(fields[1]?.message ?? '', /colour/);
    const limit = errorOf((await fetchHttps(srv, '/v1/deployments?limit=ten')).body);
    assert.match(String(limit.message), /^invalid params: limit: /);
    const segment = await fetchHttps(srv, '/v1/services/%E0%A4%A');
    assert.equal(segment.status, 400);
    assert.match(String(errorOf(segment.body).message), /name: is not valid percent-encoding/);
    const twice = await fetchHttps(srv, '/v1/services/api?name=hub2');
    assert.equal(twice.status, 400);
  });

  it('answers errors as the action envelope error object with a fitting status', async () => {
    const missing = await fetchHttps(srv, '/v1/services/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body), { error: { code: 'not_found', message: "service 'nope' not found", details: { name: 'nope' } } });
    const route = await fetchHttps(srv, '/v1/everything');
    assert.equal(route.status, 404);
    assert.equal(errorOf(route.body).code, 'unknown_operation');
    const post = await fetchHttps(srv, '/v1/services', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const elsewhere = await fetchHttps(srv, '/nothing-here');
    assert.equal(elsewhere.status, 404);
    assert.equal(errorOf(elsewhere.body).code, 'not_found');
  });

  it('answers HEAD wherever GET answers, with the same status and headers and no body', async () => {
    for (const path of ['/v1/services', '/v1/services/api', '/v1/services/nope', '/v1/topology', '/v1/networks', '/healthz', '/metrics', '/v1/events']) {
      const head = await fetchHttps(srv, path, { method: 'HEAD' });
      assert.equal(head.body, '', path);
      if (path === '/v1/events') {
        assert.equal(head.status, 200);
        assert.equal(head.headers['content-type'], 'text/event-stream; charset=utf-8');
        continue;
      }
      const get = await fetchHttps(srv, path);
      assert.equal(head.status, get.status, path);
      assert.equal(head.headers['content-type'], get.headers['content-type'], path);
      if (path !== '/metrics' && path !== '/healthz') assert.equal(head.headers['content-length'], get.headers['content-length'], path);
    }
  });

  it('keeps the WebSocket endpoint on every path: an upgrade is never taken for an HTTP request', async () => {
    const socket = new WebSocket(`${srv.url}/v1/events`, { ca: srv.caPem });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(JSON.stringify({ id: 's', type: 'request', action: 'status', params: {} }));
    assert.match(await answer, /"type":"response","result":\{"revision"/);
    socket.close();
  });

  it('never gives a browser the loopback role: a request with Origin or Sec-Fetch-Site needs credentials', async () => {
    const own = `https://127.0.0.1:${srv.server.port}`;
    const browsers: Record<string, string>[] = [{ origin: own }, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }];
    for (const headers of browsers) {
      const answer = await fetchHttps(srv, '/v1/services', { headers });
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="registry"');
      assert.equal((await fetchHttps(srv, '/metrics', { headers })).status, 401);
    }
    const foreign = await fetchHttps(srv, '/v1/services', { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(errorOf(foreign.body).code, 'forbidden');
  });
});

describe('HTTP read API roles', () => {
  let srv: TestServer;
  let readToken: string;

  before(async () => {
    srv = await startTestServer({ configText: '[auth]\nloopback_role = "none"\n' });
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'ops', role: 'admin' });
    const socket = await openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });
    readToken = String(((await socket.call(envelope('t', 'token_create', { name: 'reader', role: 'read' }))).result as Obj).token);
    await socket.close();
  });
  after(() => srv?.close());

  it('answers a caller without credentials 401 with a Bearer challenge, and one with a read token its answer', async () => {
    const anonymous = await fetchHttps(srv, '/v1/services');
    assert.equal(anonymous.status, 401);
    assert.equal(errorOf(anonymous.body).code, 'unauthorized');
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="registry"');
    const authorised = await fetchHttps(srv, '/v1/services', { headers: { authorization: `Bearer ${readToken}` } });
    assert.equal(authorised.status, 200);
    assert.ok(Array.isArray(JSON.parse(authorised.body)));
    const metrics = await fetchHttps(srv, '/metrics', { headers: { authorization: `Bearer ${readToken}` } });
    assert.equal(metrics.status, 200);
    assert.equal((await fetchHttps(srv, '/metrics')).status, 401);
  });

  it('refuses an unknown token and a token in the URL, saying why', async () => {
    const unknown = await fetchHttps(srv, '/v1/services', { headers: { authorization: 'Bearer srg_nope' } });
    assert.equal(unknown.status, 401);
    assert.match(String(errorOf(unknown.body).message), /not known/);
    const inUrl = await fetchHttps(srv, `/v1/services?token=${readToken}`);
    assert.equal(inUrl.status, 400);
    assert.doesNotMatch(inUrl.body, new RegExp(readToken));
  });
});
