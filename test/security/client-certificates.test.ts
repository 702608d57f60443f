/**
 * Certificates of the local CA that are not client certificates: each one is made with the
 * project's own CA code and presented on a real TLS handshake. The server runs with its defaults,
 * so a loopback caller is admin: a certificate that is not refused would open an admin connection.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { localTlsPaths } from '../../src/server/index.js';
import { issueLeaf } from '../../src/server/internal.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket, refusalOf, startConfiguredServer } from './support.js';

const clientAuth = new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]);
const serverAuth = new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]);

describe('client certificates of the local CA', () => {
  let srv: TestServer;
  let ca: { certPem: string; keyPem: string };

  before(async () => {
    srv = await startConfiguredServer('');
    const paths = localTlsPaths(srv.dataDir);
    ca = { certPem: await readFile(paths.caPath, 'utf8'), keyPem: await readFile(paths.caKeyPath, 'utf8') };
  });
  after(() => srv?.close());

  const issue = (subject: x509.JsonName, extensions: x509.Extension[]) =>
    issueLeaf(ca, { subject, extensions, years: 1, now: new Date() });

  const refused = async (pair: { certPem: string; keyPem: string }) =>
    refusalOf(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });

  it('refuses one without the clientAuth extended key usage with HTTP 403 and the reason', async () => {
    const answer = await refused(await issue([{ CN: ['no-eku'] }, { OU: ['admin'] }], []));
    assert.equal(answer.status, 403);
    assert.match(answer.body, /client certificate is refused: .*clientAuth/);
  });

  it('refuses one whose only extended key usage is serverAuth', async () => {
    const answer = await refused(await issue([{ CN: ['server-eku'] }, { OU: ['admin'] }], [serverAuth]));
    assert.equal(answer.status, 403);
    assert.match(answer.body, /clientAuth/);
  });

  it('refuses one without an OU', async () => {
    const answer = await refused(await issue([{ CN: ['no-ou'] }], [clientAuth]));
    assert.equal(answer.status, 403);
    assert.match(answer.body, /exactly one OU/);
  });

  it('refuses one with two OUs, even when only one of them names a role', async () => {
    const subjects: x509.JsonName[] = [
      [{ CN: ['two-roles'] }, { OU: ['admin', 'read'] }],
      [{ CN: ['role-and-other'] }, { OU: ['admin'] }, { OU: ['ops'] }],
    ];
    for (const subject of subjects) {
      const answer = await refused(await issue(subject, [clientAuth]));
      assert.equal(answer.status, 403, JSON.stringify(subject));
      assert.match(answer.body, /exactly one OU/);
    }
  });

  it("refuses the server's own certificate presented as a client certificate, for its usage", async () => {
    const paths = localTlsPaths(srv.dataDir);
    const [certPem, keyPem] = await Promise.all([readFile(paths.certPath, 'utf8'), readFile(paths.keyPath, 'utf8')]);
    const answer = await refused({ certPem, keyPem });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /not meant for client authentication/);
  });

  it('accepts one with clientAuth and exactly one role, and grants that role', async () => {
    const pair = await issue([{ CN: ['reader'] }, { OU: ['read'] }], [clientAuth]);
    const ws = await openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });
    try {
      const status = await ws.call(envelope('s', 'status'));
      assert.equal(envelopeCode(status), undefined);
    } finally {
      await ws.close();
    }
  });
});
