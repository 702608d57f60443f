/**
 * The web dashboard in a real browser (issue 17): Debian's chromium opens `/ui/` on a real server
 * over its TLS endpoint, signed in by the link `registry ui` prints, and everything after that
 * arrives over the page's own WebSocket: a registration from outside, a health check failing
 * against a server the test stops, an allocation, a deployment over a real sshd. The page makes
 * no request to another origin. With REGISTRY_UPDATE_SCREENSHOTS=1 its screenshots replace
 * docs/dashboard/*.png, which the README shows.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RegistryClient } from '../../src/client/index.js';
import { makePackage, stopLeftovers } from '../deploy/support.js';
import { builtDashboard, chromiumPresent, launchTrusting, NO_CHROMIUM, originOf, record, type Recorder } from '../helpers/browser.js';
import { runCaptured } from '../helpers/cli.js';
import { type HttpTarget, startHttpTarget } from '../helpers/health-targets.js';
import { requirePeer } from '../helpers/peers.js';
import { freePort, type Sshd, sshdUnavailable, startSshd } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const WAIT = { timeout: 20_000 };
const DOCS = fileURLToPath(new URL('../../docs/dashboard/', import.meta.url));

describe('dashboard in a real browser', () => {
  let present = false;
  let work = '';
  let srv: TestServer;
  let client: RegistryClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let recorder: Recorder;
  let target: HttpTarget;
  let sshd: Sshd | undefined;
  let noSshd: string | undefined;
  let link = '';
  let navigations = 0;
  let shots = '';

  const row = (name: string): string => `#services-body tr[data-service="${name}"]`;

  before(async () => {
    present = await chromiumPresent();
    if (!present) return;
    work = await mkdtemp(join(tmpdir(), 'registry-ui-test-'));
    await chmod(work, 0o755);
    shots = process.env.REGISTRY_UPDATE_SCREENSHOTS === '1' ? DOCS : work;
    const tables = ['[[network]]', 'name = "wg0"', 'kind = "wireguard"', 'cidr = "10.8.0.0/27"', 'gateway = "10.8.0.1"', ''];
    tables.push('[[network]]', 'name = "lan"', 'kind = "lan"', 'cidr = "192.168.40.0/24"', '');
    noSshd = await sshdUnavailable();
    if (noSshd === undefined) {
      sshd = await startSshd();
      tables.push('[[node]]', 'name = "edge-1"', `host = "${sshd.host}"`, `ssh_user = "${sshd.user}"`, `ssh_port = ${sshd.port}`);
      tables.push(`ssh_key = "${sshd.clientKey}"`, `host_key = "${sshd.hostKeyLine}"`, `install_dir = "${join(work, 'opt')}"`, '');
    }
    srv = await startTestServer({ configText: tables.join('\n'), dashboardDir: await builtDashboard() });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    target = await startHttpTarget();
    await client.call('register_service', {
      name: 'api',
      version: '1.4.2',
      description: 'public API',
      addresses: { local: '127.0.0.1', lan: '192.168.40.20' },
      endpoints: [{ name: 'http', port: 8080, protocol: 'http' }],
      allocate: ['wg0'],
    });
    await client.register({ name: 'hub2', host: '192.168.40.5', port: 4444, description: 'second hub' });
    // The CLI's own role (loopback admin) mints the read token of the link.
    const caFile = join(work, 'ca.pem');
    await writeFile(caFile, srv.caPem ?? '');
    const printed = await runCaptured(['--url', srv.url, '--ca', caFile, 'ui', '--ttl', '10m'], { env: {} });
    assert.equal(printed.code, 0, printed.stderr);
    link = printed.stdout.trim();
    browser = await launchTrusting(srv.server.certPem ?? '');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    recorder = record(context);
    page = await context.newPage();
    recorder.watch(page);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await client?.close();
    await srv?.close();
    await target?.close();
    await sshd?.close();
    if (work !== '') {
      await stopLeftovers(join(work, 'opt'));
      await rm(work, { recursive: true, force: true });
    }
  });

  it("signs in from the link registry ui prints, and takes the token out of the address bar", async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const origin = `https://127.0.0.1:${srv.server.port}`;
    assert.match(link, new RegExp(`^${origin}/ui/#token=srg_[A-Za-z0-9_-]{43}$`));
    await page.goto(link);
    await page.waitForSelector('#dashboard:not([hidden])', WAIT);
    assert.equal(page.url(), `${origin}/ui/`);
    assert.match(await page.textContent('#identity') ?? '', /^read · token:dashboard-[0-9a-f]{8}$/);
    await page.waitForSelector('#connection[data-state="live"]', WAIT);
    await page.waitForSelector(`${row('api')} .chip.kind-lan`, WAIT);
    const token = new URL(link).hash.slice('#token='.length);
    assert.ok(recorder.requests.every((url) => !url.includes(token)), 'the token went to the server in a URL');
  });

  it('shows a registration made from outside without a reload, and without polling', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const requestsBefore = recorder.requests.length;
    const navigationsBefore = navigations;
    await client.register({ name: 'hub7', host: '192.168.40.7', port: 4444 });
    await page.waitForSelector(row('hub7'), WAIT);
    await page.waitForSelector('#events li[data-event="ServiceRegistered"]', WAIT);
    assert.equal(navigations, navigationsBefore, 'the page reloaded');
    assert.deepEqual(recorder.requests.slice(requestsBefore), [], 'the page made HTTP requests instead of listening');
    assert.equal(recorder.websockets.length, 1);
  });

  it('turns a service critical when its health check fails against a server the test stops', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const check = { name: 'http', kind: 'http', url: `${target.url}/health`, interval: '1s', timeout: '500ms', failures_before_critical: 1, initial_status: 'critical' } as const;
    await client.register({ name: 'web', host: '127.0.0.1', port: target.port, description: 'web front', checks: [check] });
    await page.waitForSelector(`${row('web')}[data-health="passing"]`, WAIT);
    await target.stop();
    await page.waitForSelector(`${row('web')}[data-health="critical"]`, WAIT);
    const badge = page.locator(`${row('web')} .badge.health-critical`);
    assert.equal(await badge.textContent(), 'critical');
    const color = await page.evaluate(`getComputedStyle(document.querySelector('${row('web')} .badge.health-critical')).backgroundColor`);
    assert.equal(color, 'rgb(207, 34, 46)', 'the critical badge is red');
    await page.waitForSelector('svg.topology g.service.health-critical[data-service="web"]', WAIT);
    await page.waitForSelector('#events li[data-event="HealthChanged"]', WAIT);
  });

  it("grows the network's bar and lists the owner when an address is allocated", async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const fill = page.locator('[data-network="wg0"] .bar-fill');
    const before = { held: Number(await fill.getAttribute('data-held')), width: Number(await fill.getAttribute('width')) };
    assert.equal(before.held, 1, 'api holds one address in wg0');
    await client.call('allocate_ip', { network: 'wg0', owner: 'laptop' });
    await client.call('allocate_ip', { network: 'wg0', owner: 'build-runner' });
    await page.waitForSelector('[data-network="wg0"] .bar-fill[data-held="3"]', WAIT);
    assert.ok(Number(await fill.getAttribute('width')) > before.width, 'the bar did not grow');
    await page.waitForSelector('[data-network="wg0"] tr[data-owner="laptop"]', WAIT);
    assert.match(await page.textContent('[data-network="wg0"] .usage') ?? '', /^3 of 29 addresses held/);
  });

  it("moves a deployment's steps as they run", { timeout: 240_000 }, async (t: TestContext) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    if (!requirePeer(t, noSshd === undefined, noSshd ?? '')) return;
    // Every status each step chip takes on, as the page shows it.
    await page.evaluate(`(() => {
      const seen = (window.stepsSeen = []);
      new MutationObserver(() => {
        for (const chip of document.querySelectorAll('#deployments [data-step]')) seen.push(chip.dataset.step + ':' + chip.dataset.status);
      }).observe(document.getElementById('deployments'), { childList: true, subtree: true });
    })()`);
    const pkg = await makePackage(work, { version: '2.0.0', port: await freePort() });
    const deployed = await client.call('deploy_package', { package_path: pkg, target_node: 'edge-1' });
    assert.equal(deployed.status, 'succeeded');
    const card = `#deployments [data-deployment="${deployed.id}"]`;
    await page.waitForSelector(`${card}[data-status="succeeded"] [data-step="register"][data-status="succeeded"]`, WAIT);
    const seen = (await page.evaluate('window.stepsSeen')) as string[];
    assert.ok(seen.includes('upload:started') || seen.includes('start:started'), `no step was seen running: ${[...new Set(seen)].join(' ')}`);
    await page.waitForSelector(row('hello-service'), WAIT);
  });

  it('shows hostile strings from the server as text', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const hostile = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
    await client.register({ name: 'evil', host: '192.168.40.66', port: 1, description: hostile });
    await page.waitForSelector(row('evil'), WAIT);
    assert.equal(await page.textContent(`${row('evil')} .muted`), hostile);
    assert.equal(await page.locator('#dashboard img, #dashboard script').count(), 0);
    assert.equal(await page.title(), 'service-registry');
    // Even a slip would not run: the policy makes the browser refuse HTML and script from strings.
    const errors = recorder.errors.length;
    const refused = await page.evaluate(`(() => {
      const tried = [];
      try { document.body.insertAdjacentHTML('beforeend', '<img src=x>'); tried.push('insertAdjacentHTML ran'); } catch (e) { tried.push(e.name); }
      try { const s = document.createElement('script'); s.textContent = 'document.title = "pwned"'; document.head.append(s); tried.push('script ran'); } catch (e) { tried.push(e.name); }
      return tried;
    })()`);
    assert.deepEqual(refused, ['TypeError', 'TypeError']);
    assert.equal(await page.title(), 'service-registry');
    recorder.errors.splice(errors);
    await client.deregister({ name: 'evil' });
    await page.waitForSelector(row('evil'), { ...WAIT, state: 'detached' });
  });

  it('filters services by text and by health', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    // Waits use selectors only: the page's CSP refuses the string evaluation waitForFunction polls with.
    const shown = async (): Promise<Map<string, string>> => {
      const rows = page.locator('#services-body tr[data-service]');
      const found = new Map<string, string>();
      for (let i = 0; i < (await rows.count()); i++) found.set((await rows.nth(i).getAttribute('data-service')) ?? '', (await rows.nth(i).getAttribute('data-health')) ?? '');
      return found;
    };
    await page.fill('#filter-text', '192.168.40.20');
    await page.waitForSelector(row('hub2'), { ...WAIT, state: 'detached' });
    assert.deepEqual([...(await shown()).keys()], ['api']);
    await page.fill('#filter-text', '');
    await page.selectOption('#filter-health', 'critical');
    await page.waitForSelector(row('api'), { ...WAIT, state: 'detached' });
    const critical = await shown();
    assert.ok(critical.has('web'), JSON.stringify([...critical]));
    assert.ok([...critical.values()].every((health) => health === 'critical'), JSON.stringify([...critical]));
    await page.selectOption('#filter-health', 'all');
  });

  it('makes no request to another origin and logs no error, and its screenshots are taken', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const origin = `https://127.0.0.1:${srv.server.port}`;
    assert.ok(recorder.requests.length >= 4, `requests: ${recorder.requests.join(' ')}`);
    const foreign = [...recorder.requests, ...recorder.websockets].filter((url) => originOf(url) !== origin);
    assert.deepEqual(foreign, []);
    assert.deepEqual(recorder.websockets, [`wss://127.0.0.1:${srv.server.port}/`]);
    assert.deepEqual(recorder.errors, []);
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    assert.ok((await stat(join(shots, 'dashboard.png'))).size > 10_000);
  });
});
