import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asServiceId, asRevision, ManualClock, newService, type Service } from '../../src/domain/index.js';
import { checkDefinition, runProbe } from '../../src/health/index.js';
import { ensureServerCertificates, type TlsMaterial } from '../../src/server/index.js';
import { startHttpTarget, type HttpTarget } from '../helpers/health-targets.js';

const service: Service = newService({ host: '127.0.0.1', port: 1 }, { id: asServiceId('x'), name: 'x', source: 'manual', now: Date.now(), revision: asRevision(0) });
const probe = (declaration: Readonly<Record<string, unknown>>, now = () => Date.now()) =>
  runProbe(checkDefinition.parse({ name: 'probe', ...declaration }), service, { userAgent: 'probe-test', now });

const listening = (server: Server | import('node:https').Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/** An HTTPS server with a certificate from a local CA made as if at `madeAt`. */
async function httpsServer(dir: string, madeAt: number): Promise<{ port: number; material: TlsMaterial; close(): Promise<void> }> {
  const material = await ensureServerCertificates({ dataDir: dir, clock: new ManualClock(madeAt) });
  const server = createHttpsServer({ cert: material.certPem, key: material.keyPem }, (_req, res) => res.end('secure'));
  const port = await listening(server);
  return { port, material, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('probes - http and https', () => {
  let target: HttpTarget;
  let dir: string;
  before(async () => {
    target = await startHttpTarget();
    dir = await mkdtemp(join(tmpdir(), 'registry-probe-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('wants any 2xx, or exactly expect_status, and the body text asked for', async () => {
    target.answer(200, 'status: ready');
    assert.equal((await probe({ kind: 'http', url: target.url, body_contains: 'ready' })).verdict, 'pass');
    const lacking = await probe({ kind: 'http', url: target.url, body_contains: 'green' });
    assert.deepEqual([lacking.verdict, lacking.output], ['fail', `HTTP GET ${target.url}: 200 OK; body lacks "green"; body: status: ready`]);
    target.answer(404, 'gone');
    assert.equal((await probe({ kind: 'http', url: target.url })).verdict, 'fail');
    assert.equal((await probe({ kind: 'http', url: target.url, expect_status: 404 })).verdict, 'pass');
    assert.equal(target.seen.at(-1)?.userAgent, 'probe-test');
  });

  it('trusts a given CA for https, and refuses a certificate no trusted CA signed', async () => {
    const server = await httpsServer(join(dir, 'https'), Date.now());
    try {
      const url = `https://127.0.0.1:${server.port}/`;
      assert.equal((await probe({ kind: 'https', url, ca: server.material.caPem })).verdict, 'pass');
      const untrusted = await probe({ kind: 'https', url });
      assert.equal(untrusted.verdict, 'fail');
      assert.match(untrusted.output, /certificate/i);
    } finally {
      await server.close();
    }
  });

  it('gives up on a server that accepts and never answers, at the timeout', async () => {
    const silent = createTcpServer(() => undefined);
    const port = await listening(silent);
    try {
      const result = await probe({ kind: 'http', url: `http://127.0.0.1:${port}/`, interval: 1, timeout: '200ms' });
      assert.deepEqual([result.verdict, result.output], ['fail', `HTTP GET http://127.0.0.1:${port}/: no answer within 200 ms`]);
    } finally {
      silent.close();
    }
  });
});

describe('probes - tls', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-probe-tls-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('warns when the certificate expires within warn_days, passes otherwise, and is critical once it expired', async () => {
    const fresh = await httpsServer(join(dir, 'fresh'), Date.now());
    const old = await httpsServer(join(dir, 'old'), Date.now() - 20 * 365 * 86_400_000);
    try {
      const ok = await probe({ kind: 'tls', host: '127.0.0.1', port: fresh.port, warn_days: 1 });
      assert.equal(ok.verdict, 'pass', ok.output);
      assert.match(ok.output, /expires \d{4}-\d\d-\d\dT.*; not trusted/);
      assert.equal((await probe({ kind: 'tls', host: '127.0.0.1', port: fresh.port, warn_days: 3_650, ca: fresh.material.caPem })).verdict, 'warn');
      const expired = await probe({ kind: 'tls', host: '127.0.0.1', port: old.port });
      assert.equal(expired.verdict, 'fail');
      assert.match(expired.output, /expired/);
    } finally {
      await fresh.close();
      await old.close();
    }
  });
});

describe('probes - script', () => {
  it('reads exit codes as Nagios does: 0 passing, 1 warning, others critical, with the output', async () => {
    const run = (code: number) => probe({ kind: 'script', command: ['/bin/sh', '-c', `echo said ${code}; exit ${code}`] });
    assert.deepEqual(await Promise.all([0, 1, 2].map(async (code) => [(await run(code)).verdict, (await run(code)).output])), [
      ['pass', 'said 0'],
      ['warn', 'said 1'],
      ['fail', 'said 2'],
    ]);
  });

  it('kills the whole process group at the timeout, children included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-probe-script-'));
    try {
      const pidFile = join(dir, 'child.pid');
      const result = await probe({ kind: 'script', command: ['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], interval: 1, timeout: '300ms' });
      assert.equal(result.verdict, 'fail');
      assert.match(result.output, /killed, no answer within 300 ms/);
      const child = Number(await readFile(pidFile, 'utf8'));
      const alive = (): boolean => {
        try {
          process.kill(child, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(alive(), false, 'the background child was killed with its group');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
