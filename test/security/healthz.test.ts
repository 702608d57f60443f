/** GET /healthz tells anyone that the server lives, and only a caller that holds `read` what it holds. */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { issueClientCertificate } from '../../src/server/index.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, type Obj, openSocket, startConfiguredServer } from './support.js';

interface HealthOptions {
  readonly headers?: Record<string, string>;
  readonly cert?: string;
  readonly key?: string;
}

describe('GET /healthz', () => {
  let srv: TestServer;
  let readToken: string;
  let adminCert: { cert: string; key: string };

  const health = (options: HealthOptions = {}): Promise<Obj> =>
    new Promise((resolve, reject) => {
      const req = request(`https://127.0.0.1:${srv.server.port}/healthz`, { ca: srv.caPem, headers: options.headers ?? {}, ...(options.cert ? { cert: options.cert, key: options.key } : {}) }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.once('end', () => resolve(JSON.parse(body) as Obj));
      });
      req.once('error', reject);
      req.end();
    });

  before(async () => {
    // Loopback holds nothing here, so a caller from this host is as anonymous as a remote one.
    srv = await startConfiguredServer('[auth]\nloopback_role = "none"\n');
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'ops', role: 'admin' });
    adminCert = { cert: pair.certPem, key: pair.keyPem };
    const admin = await openSocket(srv.url, { ca: srv.caPem, ...adminCert });
    try {
      readToken = String(((await admin.call(envelope('t', 'token_create', { name: 'monitor', role: 'read' }))).result as Obj).token);
    } finally {
      await admin.close();
    }
  });
  after(() => srv?.close());

  it('answers an anonymous caller with liveness only', async () => {
    assert.deepEqual(await health(), { status: 'ok' });
    assert.deepEqual(await health({ headers: { authorization: 'Bearer srg_not-a-token' } }), { status: 'ok' });
  });

  it('gives the revision and the service count to a caller with a read token or a certificate', async () => {
    for (const options of [{ headers: { authorization: `Bearer ${readToken}` } }, adminCert]) {
      const body = await health(options);
      assert.equal(body.status, 'ok');
      assert.equal(typeof body.revision, 'number');
      assert.equal(typeof body.services, 'number');
    }
  });
});
