import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureLocalCa, issueClientCertificate, localTlsPaths } from '../../src/server/index.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket, refusalOf, startConfiguredServer } from './support.js';

const service = { name: 'svc-m', host: '10.0.0.9', port: 4444 };

describe('mTLS client certificates', () => {
  let srv: TestServer;
  let otherCaDir: string;

  before(async () => {
    srv = await startConfiguredServer('[auth]\nloopback_role = "none"\n');
    otherCaDir = await mkdtemp(join(tmpdir(), 'registry-other-ca-'));
    await ensureLocalCa(otherCaDir); // a CA the server does not trust
  });
  after(async () => {
    await srv?.close();
    await rm(otherCaDir, { recursive: true, force: true });
  });

  const withCertificate = async (role: 'read' | 'write' | 'admin', dataDir = srv.dataDir) => {
    const pair = await issueClientCertificate({ dataDir, name: `client-${role}`, role });
    return { cert: pair.certPem, key: pair.keyPem };
  };

  it('lets a write certificate register but neither reload nor create tokens', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem, ...(await withCertificate('write')) });
    try {
      assert.equal(envelopeCode(await ws.call(envelope('r', 'register', service))), undefined);
      assert.equal(envelopeCode(await ws.call(envelope('l', 'reload'))), 'forbidden');
      assert.equal(envelopeCode(await ws.call(envelope('t', 'token_create', { name: 'x', role: 'read' }))), 'forbidden');
    } finally {
      await ws.close();
    }
  });

  it('lets a read certificate list but not register', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem, ...(await withCertificate('read')) });
    try {
      assert.equal(envelopeCode(await ws.call(envelope('l', 'list_services'))), undefined);
      assert.equal(envelopeCode(await ws.call(envelope('r', 'register', service))), 'forbidden');
    } finally {
      await ws.close();
    }
  });

  it('reports the certificate as the source of the role', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem, ...(await withCertificate('admin')) });
    try {
      const status = await ws.call(envelope('s', 'status'));
      assert.equal((status.result as { role: string }).role, 'admin');
      const auth = await ws.call(envelope('a', 'authenticate', { token: 'srg_unknown' }));
      assert.equal(envelopeCode(auth), 'unauthorized');
    } finally {
      await ws.close();
    }
  });

  it('refuses a certificate from another CA with HTTP 403 and the reason', async () => {
    const refused = await refusalOf(srv.url, { ca: srv.caPem, ...(await withCertificate('admin', otherCaDir)) });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /client certificate is refused/);
  });

  it('refuses the server certificate presented as a client certificate', async () => {
    const paths = localTlsPaths(srv.dataDir);
    const [cert, key] = await Promise.all([readFile(paths.certPath, 'utf8'), readFile(paths.keyPath, 'utf8')]);
    const refused = await refusalOf(srv.url, { ca: srv.caPem, cert, key });
    assert.equal(refused.status, 403);
  });

  it('answers unauthorized to a caller with no certificate', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    try {
      assert.equal(envelopeCode(await ws.call(envelope('l', 'list_services'))), 'unauthorized');
    } finally {
      await ws.close();
    }
  });
});
