/**
 * `/ui/` over real HTTPS: the built dashboard's files, each answer under the strict
 * Content-Security-Policy, nothing but the build folder's own files, a clear answer when the
 * dashboard is not built, and `/` sending a browser (only a browser) to it.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DASHBOARD_CSP } from '../../src/server/index.js';
import { builtDashboard } from '../helpers/browser.js';
import { fetchHttps } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('the /ui/ route', () => {
  let srv: TestServer;
  let dir: string;

  before(async () => {
    dir = await builtDashboard();
    srv = await startTestServer({ dashboardDir: dir });
  });
  after(() => srv?.close());

  it('answers the page, its script, style and icon, each with its type and the strict CSP', async () => {
    for (const [path, type, file] of [
      ['/ui/', 'text/html; charset=utf-8', 'index.html'],
      ['/ui/dashboard.js', 'text/javascript; charset=utf-8', 'dashboard.js'],
      ['/ui/dashboard.css', 'text/css; charset=utf-8', 'dashboard.css'],
      ['/ui/favicon.svg', 'image/svg+xml', 'favicon.svg'],
    ] as const) {
      const answer = await fetchHttps(srv, path);
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers['content-type'], type, path);
      assert.equal(answer.body, await readFile(join(dir, file), 'utf8'), path);
      assert.equal(answer.headers['content-security-policy'], DASHBOARD_CSP, path);
      assert.equal(answer.headers['x-frame-options'], 'DENY');
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('uses a policy with nothing inline, its own origin only, and no framing', () => {
    const directives = new Map(DASHBOARD_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives.get('default-src'), "'self'");
    for (const name of ['script-src', 'style-src', 'connect-src', 'img-src']) assert.equal(directives.get(name), "'self'", name);
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.equal(directives.get('object-src'), "'none'");
    assert.equal(directives.get('base-uri'), "'none'");
    assert.equal(directives.get('require-trusted-types-for'), "'script'");
    assert.doesNotMatch(DASHBOARD_CSP, /unsafe|\*|data:|https?:/);
  });

  it('ships a page with no inline script or style and nothing from another origin', async () => {
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    assert.doesNotMatch(page, /<style|\sstyle=|\son[a-z]+=|javascript:/i);
    for (const script of page.match(/<script[^>]*>/g) ?? []) assert.match(script, /src="dashboard\.js"/);
    assert.doesNotMatch(page, /(src|href)="(https?:)?\/\//);
    const bundle = await readFile(join(dir, 'dashboard.js'), 'utf8');
    assert.doesNotMatch(bundle, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    assert.doesNotMatch(bundle, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'the script names no other origin');
  });

  it('answers HEAD like GET without the body', async () => {
    const answer = await fetchHttps(srv, '/ui/dashboard.js', { method: 'HEAD' });
    assert.equal(answer.status, 200);
    assert.equal(Number(answer.headers['content-length']), (await readFile(join(dir, 'dashboard.js'))).length);
    assert.equal(answer.body, '');
  });

  it('serves only the files of the build folder, whatever the path says', async () => {
    for (const path of ['/ui/nope.js', '/ui/../backends.toml', '/ui/..%2fbackends.toml', '/ui/%2e%2e/%2e%2e/etc/passwd', '/ui//etc/passwd', '/ui/src/main.ts', '/ui/index.html/']) {
      const answer = await fetchHttps(srv, path);
      assert.equal(answer.status, 404, path);
      assert.doesNotMatch(answer.body, /root:|\[\[/, path);
    }
    const refused = await fetchHttps(srv, '/ui/nope.js');
    assert.equal(refused.headers['content-security-policy'], DASHBOARD_CSP, 'errors carry the policy too');
    assert.equal(JSON.parse(refused.body).error.code, 'not_found');
  });

  it('answers only GET and HEAD', async () => {
    const answer = await fetchHttps(srv, '/ui/', { method: 'POST' });
    assert.equal(answer.status, 405);
  });

  it('sends /ui to /ui/, and a browser asking for / to the dashboard', async () => {
    const slash = await fetchHttps(srv, '/ui');
    assert.equal(slash.status, 308);
    assert.equal(slash.headers.location, '/ui/');
    const browser = await fetchHttps(srv, '/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.location, '/ui/');
    const program = await fetchHttps(srv, '/');
    assert.equal(program.status, 426);
    assert.match(program.body, /speaks WebSocket/);
  });
});

describe('the /ui/ route without a built dashboard', () => {
  let srv: TestServer;
  let empty: string;

  before(async () => {
    empty = await mkdtemp(join(tmpdir(), 'registry-ui-empty-'));
    await chmod(empty, 0o755);
    srv = await startTestServer({ dashboardDir: empty });
  });
  after(async () => {
    await srv?.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('answers 503 and says how to build it, and serves it once it is built', async () => {
    const answer = await fetchHttps(srv, '/ui/');
    assert.equal(answer.status, 503);
    assert.match(JSON.parse(answer.body).error.message, /the dashboard is not built: run npm run build:ui/);
    await writeFile(join(empty, 'index.html'), '<!doctype html><title>built later</title>');
    const later = await fetchHttps(srv, '/ui/');
    assert.equal(later.status, 200);
    assert.match(later.body, /built later/);
  });
});
