/**
 * Signing in to the dashboard in a real browser. A browser page never holds the loopback role
 * (issue 11), so even on the registry's own host the page asks for a token; a user elsewhere
 * (here: a server whose loopback_role is "none", so where the browser connects from grants
 * nothing) pastes one into the form. A wrong token is refused with the reason, a revoked one ends
 * the live view, and signing out forgets it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { builtDashboard, chromiumPresent, launchTrusting, NO_CHROMIUM, record } from '../helpers/browser.js';
import { requirePeer } from '../helpers/peers.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openCertifiedSocket, startConfiguredServer, type TestSocket } from '../security/support.js';

const WAIT = { timeout: 20_000 };
const DOCS = fileURLToPath(new URL('../../docs/dashboard/', import.meta.url));

describe('dashboard sign-in', () => {
  let present = false;
  let remote: TestServer;
  let local: TestServer;
  let admin: TestSocket;
  let browser: Browser;
  let seq = 0;
  const id = (): string => `l${++seq}`;

  /** A new tab in a context of its own (its own sessionStorage), with errors recorded. */
  const openTab = async (srv: TestServer): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    const page = await context.newPage();
    const recorder = record(context);
    recorder.watch(page);
    await page.goto(`https://127.0.0.1:${srv.server.port}/ui/`);
    return { page, errors: recorder.errors, close: () => context.close() };
  };
  const signIn = async (page: Page, token: string): Promise<void> => {
    await page.waitForSelector('#login:not([hidden])', WAIT);
    await page.fill('#login-token', token);
    await page.click('#login-form button[type="submit"]');
  };
  const createToken = async (name: string): Promise<string> => {
    const answer = await admin.call(envelope(id(), 'token_create', { name, role: 'read' }));
    assert.equal(envelopeCode(answer), undefined, JSON.stringify(answer));
    return String((answer.result as Obj).token);
  };

  before(async () => {
    present = await chromiumPresent();
    if (!present) return;
    const dashboardDir = await builtDashboard();
    remote = await startConfiguredServer('[auth]\nloopback_role = "none"\n', { dashboardDir });
    local = await startTestServer({ dashboardDir });
    // The operator: an admin client certificate, since loopback grants nothing on this server.
    admin = await openCertifiedSocket(remote);
    assert.equal(envelopeCode(await admin.call(envelope(id(), 'register', { name: 'hub2', host: '192.168.1.5', port: 4444 }))), undefined);
    // One server certificate per server: chromium trusts the one it is shown, by its key.
    assert.equal(remote.server.certPem === local.server.certPem, false);
    browser = await launchTrusting(remote.server.certPem ?? '');
  });

  after(async () => {
    await browser?.close();
    await admin?.close();
    await remote?.close();
    await local?.close();
  });

  it('asks a browser on the registry host for a token: the page never gets the loopback role', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const trusting = await launchTrusting(local.server.certPem ?? '');
    try {
      const context = await trusting.newContext();
      const page = await context.newPage();
      await page.goto(`https://127.0.0.1:${local.server.port}/`);
      assert.equal(page.url(), `https://127.0.0.1:${local.server.port}/ui/`, '/ sends a browser to the dashboard');
      await page.waitForSelector('#login:not([hidden])', WAIT);
      assert.equal(await page.isHidden('#dashboard'), true);
      assert.match(await page.textContent('#login') ?? '', /registry ui/);
    } finally {
      await trusting.close();
    }
  });

  it('signs a user in with a pasted token and keeps the tab signed in across a reload', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const token = await createToken('viewer');
    const tab = await openTab(remote);
    try {
      if (process.env.REGISTRY_UPDATE_SCREENSHOTS === '1') {
        await tab.page.waitForSelector('#login:not([hidden])', WAIT);
        await tab.page.screenshot({ path: join(DOCS, 'login.png') });
      }
      await signIn(tab.page, token);
      await tab.page.waitForSelector('#dashboard:not([hidden])', WAIT);
      assert.equal(await tab.page.textContent('#identity'), 'read · token:viewer');
      await tab.page.waitForSelector('#services-body tr[data-service="hub2"]', WAIT);
      assert.equal(await tab.page.evaluate('localStorage.length'), 0, 'the token is kept for this tab only');
      await tab.page.reload();
      await tab.page.waitForSelector('#services-body tr[data-service="hub2"]', WAIT);
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  it('refuses a wrong token with the reason and stays on the form', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const tab = await openTab(remote);
    try {
      await signIn(tab.page, 'srg_not-a-token');
      await tab.page.waitForSelector('#login-message:text("the token is not known")', WAIT);
      assert.equal(await tab.page.isHidden('#dashboard'), true);
    } finally {
      await tab.close();
    }
  });

  it('ends the live view when the token is revoked and asks to sign in again', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const token = await createToken('short-lived');
    const tab = await openTab(remote);
    try {
      await signIn(tab.page, token);
      await tab.page.waitForSelector('#connection[data-state="live"]', WAIT);
      assert.equal(envelopeCode(await admin.call(envelope(id(), 'token_revoke', { name: 'short-lived' }))), undefined);
      await tab.page.waitForSelector('#login:not([hidden])', WAIT);
      assert.match(await tab.page.textContent('#login-message') ?? '', /revoked or it expired/);
      assert.equal(await tab.page.isHidden('#dashboard'), true);
    } finally {
      await tab.close();
    }
  });

  it('forgets the token on sign-out', async (t) => {
    if (!requirePeer(t, present, NO_CHROMIUM)) return;
    const token = await createToken('leaving');
    const tab = await openTab(remote);
    try {
      await signIn(tab.page, token);
      await tab.page.waitForSelector('#dashboard:not([hidden])', WAIT);
      await tab.page.click('#sign-out');
      await tab.page.waitForSelector('#login:not([hidden])', WAIT);
      assert.equal(await tab.page.evaluate('sessionStorage.length'), 0);
      await tab.page.reload();
      await tab.page.waitForSelector('#login:not([hidden])', WAIT);
    } finally {
      await tab.close();
    }
  });
});
