/**
 * Cross-site WebSocket hijacking: a page from any origin, opened in a browser on the registry's
 * host, points a WebSocket at the registry. Browsers always send `Origin`; these upgrades carry one
 * as a browser would, over real TLS (and plaintext under --insecure-loopback).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, refusalOf, startConfiguredServer } from './support.js';

const roleOf = (answer: Obj): unknown => (answer.result as Obj | undefined)?.role;

describe('Origin on the WebSocket upgrade', () => {
  let srv: TestServer;
  let own: string;
  before(async () => {
    srv = await startConfiguredServer('[auth]\nallowed_origins = ["https://dash.example:8443"]\n');
    own = `https://127.0.0.1:${srv.server.port}`;
  });
  after(() => srv?.close());

  it('refuses a page from another origin with HTTP 403 and the reason', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:8080', `http://127.0.0.1:${srv.server.port}`, 'null', 'https://dash.example:9999']) {
      const refused = await refusalOf(srv.url, { ca: srv.caPem, headers: { origin } });
      assert.equal(refused.status, 403, origin);
      assert.match(refused.body, /a browser page from origin .* may not open this endpoint/, origin);
    }
  });

  it("admits the server's own origin and allowed_origins, without the loopback role", async () => {
    for (const origin of [own, `https://localhost:${srv.server.port}`, 'https://dash.example:8443']) {
      const ws = await openSocket(srv.url, { ca: srv.caPem, headers: { origin } });
      try {
        const status = await ws.call(envelope('s', 'status'));
        assert.equal(envelopeCode(status), 'unauthorized', `${origin} held a role from loopback: ${JSON.stringify(status)}`);
        const minted = await ws.call(envelope('t', 'token_create', { name: 'stolen', role: 'admin' }));
        assert.equal(envelopeCode(minted), 'unauthorized');
      } finally {
        await ws.close();
      }
    }
  });

  it('lets a browser page present a token in an authenticate frame', async () => {
    const admin = await openSocket(srv.url, { ca: srv.caPem });
    const page = await openSocket(srv.url, { ca: srv.caPem, headers: { origin: own } });
    try {
      const created = await admin.call(envelope('c', 'token_create', { name: 'dashboard', role: 'read' }));
      const token = String((created.result as Obj).token);
      assert.equal(envelopeCode(await page.call(envelope('a', 'authenticate', { token }))), undefined);
      assert.equal(roleOf(await page.call(envelope('s', 'status'))), 'read');
    } finally {
      await Promise.all([admin.close(), page.close()]);
    }
  });

  it('keeps the loopback role for a program, which sends no Origin', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    try {
      assert.equal(roleOf(await ws.call(envelope('s', 'status'))), 'admin');
    } finally {
      await ws.close();
    }
  });
});

describe('Origin under --insecure-loopback', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startConfiguredServer('', { flags: { insecureLoopback: true } });
  });
  after(() => srv?.close());

  it('refuses a page from another origin on ws:// too', async () => {
    const refused = await refusalOf(srv.url, { headers: { origin: 'http://evil.example' } });
    assert.equal(refused.status, 403);
  });

  it("admits the server's own http origin, without the loopback role", async () => {
    const ws = await openSocket(srv.url, { headers: { origin: `http://127.0.0.1:${srv.server.port}` } });
    try {
      assert.equal(envelopeCode(await ws.call(envelope('s', 'status'))), 'unauthorized');
    } finally {
      await ws.close();
    }
  });
});

describe('[auth] allowed_origins', () => {
  const parse = (toml: string) => parseConfig(toml, { configPath: '/nonexistent/backends.toml', env: {}, cwd: '/' });

  it('keeps each origin as a browser spells it', () => {
    const config = parse('[auth]\nallowed_origins = ["HTTPS://Dash.Example:443/", "http://10.0.0.5:8080"]\n');
    assert.deepEqual(config.auth.allowedOrigins, ['https://dash.example', 'http://10.0.0.5:8080']);
  });

  it('refuses anything that is not an origin, naming the entry', () => {
    for (const bad of ['dash.example', 'https://dash.example/path', 'ftp://dash.example', 'https://user@dash.example']) {
      assert.throws(
        () => parse(`[auth]\nallowed_origins = ["${bad}"]\n`),
        (error: unknown) => error instanceof ConfigError && error.issues.some((issue) => issue.path === 'auth.allowed_origins[0]' && /must be an origin/.test(issue.message)),
        bad,
      );
    }
  });
});
