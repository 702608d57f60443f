/**
 * The certificate the server makes names what clients dial: `[tls] names` at start, and names a
 * reload adds, issued by the same CA and presented to new handshakes without a restart. (New
 * interface addresses: test/topology/namespaces.test.ts, where the server binds 0.0.0.0.)
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { eventually } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** Completes a TLS handshake to the server for `servername`, checking the certificate against `ca` and that name. */
function handshake(port: number, ca: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
      const presented = socket.getPeerX509Certificate()?.toString() ?? '';
      socket.destroy();
      resolve(presented);
    });
    socket.once('error', reject);
  });
}

describe('the certificate the server makes', () => {
  let srv: TestServer;
  let port: number;

  before(async () => {
    srv = await startTestServer({ configText: '[server]\nauto_register = false\n\n[tls]\nnames = ["registry.example", "203.0.113.7"]\n' });
    port = Number(new URL(srv.url).port);
  });
  after(() => srv?.close());

  it('names [tls] names beside this host, localhost and the bound address', () => {
    const cert = new X509Certificate(srv.server.certPem ?? '');
    for (const name of ['registry.example', 'localhost']) assert.equal(cert.checkHost(name), name, name);
    for (const ip of ['203.0.113.7', '127.0.0.1']) assert.equal(cert.checkIP(ip), ip, ip);
  });

  it('names what a reload adds to [tls] names, issued by the same CA, for new handshakes at once', async () => {
    const ca = srv.caPem ?? '';
    await assert.rejects(handshake(port, ca, 'alias.example'), /ERR_TLS_CERT_ALTNAME_INVALID|does not match|altnames/i);
    await writeFile(srv.configPath, '[server]\nauto_register = false\n\n[tls]\nnames = ["registry.example", "203.0.113.7", "alias.example"]\n');
    const client = await RegistryClient.connect(srv.url, { ca });
    try {
      await client.reload();
    } finally {
      await client.close();
    }
    const presented = await eventually(() => handshake(port, ca, 'alias.example').catch(() => undefined), 10_000, 'the new name in the certificate');
    assert.equal(new X509Certificate(presented).checkIssued(new X509Certificate(ca)), true, 'the local CA issued it');
    assert.equal(srv.server.caPem, ca, 'the CA clients trust did not change');
  });
});
