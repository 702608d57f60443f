/**
 * `[tls] client_ca`: an operator's own client PKI, made here with openssl as an operator would (a
 * root and an issuing CA), trusted beside the local CA. The role comes from the certificate's one
 * OU and the clientAuth usage is required, exactly as for the local CA's certificates.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueClientCertificate } from '../../src/server/index.js';
import { OperatorPki, type Pair } from '../helpers/operator-pki.js';
import { eventually } from '../helpers/log-capture.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket, refusalOf, startConfiguredServer } from './support.js';

const service = { name: 'svc-ops', host: '10.0.0.9', port: 4444 };

describe('[tls] client_ca: an operator’s own client CAs', () => {
  let dir: string;
  let pki: OperatorPki;
  let srv: TestServer;
  let bundlePath: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-client-ca-'));
    await chmod(dir, 0o755);
    pki = new OperatorPki(dir);
    const root = await pki.ca('ops-root');
    const issuing = await pki.ca('ops-clients', 'ops-root');
    bundlePath = join(dir, 'client-ca.pem');
    await writeFile(bundlePath, `${issuing.cert}${root.cert}`);
    srv = await startConfiguredServer(`[auth]\nloopback_role = "none"\n\n[tls]\nclient_ca = "${bundlePath}"\n`);
  });
  after(async () => {
    await srv?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const connectWith = (pair: Pair) => openSocket(srv.url, { ca: srv.caPem, cert: pair.cert, key: pair.key });

  it('grants the role in the OU of a certificate its issuing CA signed: write registers, but may not reload', async () => {
    const ws = await connectWith(await pki.client('ops-bot', 'ops-clients', ['write']));
    try {
      const status = await ws.call(envelope('s', 'status'));
      assert.equal((status.result as { role: string }).role, 'write');
      assert.equal(envelopeCode(await ws.call(envelope('r', 'register', service))), undefined);
      assert.equal(envelopeCode(await ws.call(envelope('l', 'reload'))), 'forbidden');
    } finally {
      await ws.close();
    }
  });

  it('refuses one of its certificates without the clientAuth usage, or without exactly one OU naming a role', async () => {
    const noUsage = await refusalOf(srv.url, { ca: srv.caPem, ...(await pki.client('no-eku', 'ops-clients', ['admin'], '')) });
    assert.deepEqual([noUsage.status, /clientAuth/.test(noUsage.body)], [403, true], noUsage.body);
    for (const units of [[], ['admin', 'read'], ['ops']]) {
      const answer = await refusalOf(srv.url, { ca: srv.caPem, ...(await pki.client(`ou-${units.length}`, 'ops-clients', units)) });
      assert.deepEqual([answer.status, /exactly one OU/.test(answer.body)], [403, true], `${units.join(',')}: ${answer.body}`);
    }
  });

  it('still trusts the local CA’s client certificates', async () => {
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'local-reader', role: 'read' });
    const ws = await connectWith({ cert: pair.certPem, key: pair.keyPem });
    try {
      assert.equal(envelopeCode(await ws.call(envelope('l', 'list_services'))), undefined);
    } finally {
      await ws.close();
    }
  });

  it('refuses a certificate of a CA it does not hold, and trusts that CA once the file holds it (no restart)', async () => {
    const other = await pki.ca('other-root');
    const stranger = await pki.client('stranger', 'other-root', ['admin']);
    const refused = await refusalOf(srv.url, { ca: srv.caPem, ...stranger });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /client certificate is refused/);
    await writeFile(bundlePath, `${await readFile(bundlePath, 'utf8')}${other.cert}`);
    await eventually(async () => {
      const ws = await connectWith(stranger).catch(() => undefined);
      if (ws === undefined) return undefined;
      await ws.close();
      return true;
    }, 10_000, 'the replaced client_ca file taking effect');
  });

  it('refuses to start when the file holds a certificate that is not a CA, naming the file', async () => {
    const leaf = await pki.client('not-a-ca', 'ops-clients', ['read']);
    const path = join(dir, 'leaf-bundle.pem');
    await writeFile(path, leaf.cert);
    await assert.rejects(startConfiguredServer(`[tls]\nclient_ca = "${path}"\n`), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'config_invalid');
      assert.ok(error.message.includes(path) && /not a CA certificate/.test(error.message), error.message);
      return true;
    });
  });
});
