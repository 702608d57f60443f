/**
 * The cross-site WebSocket hijacking attack with a real browser: Debian's chromium, driven by
 * playwright-core, opens an attacker's page served from another local port, and the page points a
 * WebSocket at the registry to mint an admin token. The registry must refuse the upgrade. The
 * browser is tested on ws:// (--insecure-loopback), which it opens without a certificate prompt;
 * the same check over TLS is in origin.test.ts with browser-like upgrades.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { requirePeer } from '../helpers/peers.js';
import type { TestServer } from '../helpers/test-server.js';
import { startConfiguredServer } from './support.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the attacker's page saw: the frames it received and how its socket ended. */
interface PageOutcome {
  readonly opened: boolean;
  readonly frames: string[];
  readonly closeCode: number | undefined;
}

/** Runs in the page: opens the socket, asks for an admin token, reports what happened. */
function attack(url: string): Promise<PageOutcome> {
  return new Promise((resolve) => {
    const outcome = { opened: false, frames: [] as string[], closeCode: undefined as number | undefined };
    const ws = new WebSocket(url);
    ws.onopen = () => {
      outcome.opened = true;
      ws.send(JSON.stringify({ id: 't', type: 'request', action: 'token_create', params: { name: 'stolen', role: 'admin' } }));
    };
    ws.onmessage = (event) => {
      outcome.frames.push(String(event.data));
      ws.close();
    };
    ws.onclose = (event) => resolve({ ...outcome, closeCode: event.code });
  });
}

describe('a real browser page from another origin', () => {
  let browser: Browser | undefined;
  let page: Server;
  let pageUrl: string;
  let plain: TestServer;
  let present = false;

  before(async () => {
    present = await access(CHROMIUM).then(() => true, () => false);
    if (!present) return;
    page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cute cats</title>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    plain = await startConfiguredServer('', { flags: { insecureLoopback: true } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await plain?.close();
    if (page) await new Promise((resolve) => page.close(resolve));
  });

  const visit = async (target: string): Promise<PageOutcome> => {
    const context = await (browser as Browser).newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(pageUrl);
      return await tab.evaluate(attack, target);
    } finally {
      await context.close();
    }
  };

  it('cannot open ws:// under --insecure-loopback, so it mints no token', async (t) => {
    if (!requirePeer(t, present, `no chromium at ${CHROMIUM} (apt-get install chromium)`)) return;
    const outcome = await visit(`ws://127.0.0.1:${plain.server.port}`);
    assert.deepEqual(outcome, { opened: false, frames: [], closeCode: 1006 });
  });
});
