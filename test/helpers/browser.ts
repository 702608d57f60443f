/**
 * A real browser for the dashboard tests: Debian's chromium driven by playwright-core, trusting
 * exactly one server certificate by the SHA-256 of its public key (`--ignore-certificate-errors-spki-list`),
 * so the page is loaded, and its WebSocket opened, over the server's real TLS endpoint. Every
 * request the browser makes is recorded, to show the page reaches no other origin.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { access, chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildDashboard } from '../../ui/build.js';

export const CHROMIUM = '/usr/bin/chromium';
export const NO_CHROMIUM = `no chromium at ${CHROMIUM} (apt-get install chromium)`;

export const chromiumPresent = (): Promise<boolean> => access(CHROMIUM).then(() => true, () => false);

/** base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo: what chromium's SPKI list takes. */
export function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Chromium that accepts this one certificate (and no other unknown one). */
export function launchTrusting(certPem: string): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spkiHash(certPem)}`] });
}

let built: Promise<string> | undefined;

/** The dashboard built once per test process, into a folder of its own (as `npm run build:ui` builds it). */
export function builtDashboard(): Promise<string> {
  built ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-ui-'));
    await chmod(dir, 0o755);
    return buildDashboard({ outDir: dir });
  })();
  return built;
}

/** What a browser context did: every request URL, every WebSocket URL, and console errors. */
export interface Recorder {
  readonly requests: string[];
  readonly websockets: string[];
  readonly errors: string[];
  /** Starts recording a page of the context. */
  watch(page: Page): void;
}

export function record(context: BrowserContext): Recorder {
  const recorder: Recorder = {
    requests: [],
    websockets: [],
    errors: [],
    watch(page) {
      page.on('websocket', (ws) => recorder.websockets.push(ws.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') recorder.errors.push(message.text());
      });
      page.on('pageerror', (error) => recorder.errors.push(error.message));
    },
  };
  context.on('request', (request) => recorder.requests.push(request.url()));
  return recorder;
}

/** The origin of a URL as a browser compares it, wss: read as https:. */
export function originOf(url: string): string {
  const parsed = new URL(url);
  const scheme = parsed.protocol === 'wss:' ? 'https:' : parsed.protocol === 'ws:' ? 'http:' : parsed.protocol;
  return `${scheme}//${parsed.host}`;
}
