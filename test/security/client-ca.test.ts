/**
 * `[tls] client_ca`: an operator's own client PKI, made here with openssl as an operator would (a
 * root and an issuing CA), trusted beside the local CA. The role comes from the certificate's one
 * OU and the clientAuth usage is required, exactly as for the local CA's certificates.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { issueClientCertificate } from '../../src/server/index.js';
import { eventually } from '../helpers/log-capture.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket, refusalOf, startConfiguredServer } from './support.js';

const exec = promisify(execFile);

interface Pair {
  readonly cert: string;
  readonly key: string;
}

/** An operator's PKI made with openssl in `dir`: CA pairs and the client certificates they issue. */
class OperatorPki {
  constructor(private readonly dir: string) {}

  private file = (name: string): string => join(this.dir, name);

  private async sign(name: string, subject: string, issuer: string | undefined, extensions: string): Promise<Pair> {
    const key = this.file(`${name}.key`);
    const cert = this.file(`${name}.pem`);
    const ext = this.file(`${name}.ext`);
    await writeFile(ext, extensions);
    const serial = `0x${randomBytes(8).toString('hex')}`;
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', subject];
    if (issuer === undefined) {
      await exec('openssl', ['req', '-x509', ...newKey, '-out', cert, '-days', '30', '-set_serial', serial, '-extensions', 'v3', '-config', await this.reqConfig(extensions)]);
    } else {
      const csr = this.file(`${name}.csr`);
      await exec('openssl', ['req', '-new', ...newKey, '-out', csr]);
      const by = ['-CA', this.file(`${issuer}.pem`), '-CAkey', this.file(`${issuer}.key`)];
      await exec('openssl', ['x509', '-req', '-in', csr, ...by, '-set_serial', serial, '-days', '30', '-out', cert, '-extfile', ext]);
    }
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  }

  /** A req config whose `v3` section holds `extensions` (self-signed certificates take them from there). */
  private async reqConfig(extensions: string): Promise<string> {
    const path = this.file(`req-${randomBytes(4).toString('hex')}.cnf`);
    await writeFile(path, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${extensions}`);
    return path;
  }

  ca(name: string, issuer?: string): Promise<Pair> {
    return this.sign(name, `/O=Example Ops/CN=${name}`, issuer, 'basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n');
  }

  client(name: string, issuer: string, units: readonly string[], usage = 'extendedKeyUsage = clientAuth\n'): Promise<Pair> {
    const ou = units.map((unit) => `/OU=${unit}`).join('');
    return this.sign(name, `/O=Example Ops${ou}/CN=${name}`, issuer, `basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n${usage}`);
  }
}

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
