import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { GrantedRole } from '../../src/domain/index.js';
import {
  certificateFingerprint,
  clientRoleFromSubject,
  issueClientCertificate,
  loadTlsFiles,
  type TlsMaterial,
} from '../../src/server/tls.js';
import { ensureServerCertificates } from '../../src/server/tls-plan.js';

/** Every wait on an event has a time limit. */
const within = (ms = 10_000) => ({ signal: AbortSignal.timeout(ms) });

interface TestTlsServer {
  readonly server: tls.Server;
  readonly port: number;
  close(): Promise<void>;
}

async function startTlsServer(options: tls.TlsOptions): Promise<TestTlsServer> {
  const server = tls.createServer(options, (socket) => socket.end('hello\n'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', within());
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Resolves with the socket once the handshake is verified; rejects with the client-side error. */
function connect(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('the TLS handshake did not finish in 10 s')));
    socket.once('error', reject);
  });
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'registry-tls-'));
}

describe('ensureServerCertificates', () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('creates a CA and a server certificate with key files of mode 0600 in a 0700 folder', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const material = await ensureServerCertificates({ dataDir });
    assert.equal(material.caPath, join(dataDir, 'tls', 'ca.pem'));
    assert.equal((await stat(join(dataDir, 'tls'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dataDir, 'tls', 'ca-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(material.keyPath)).mode & 0o777, 0o600);
    const ca = new X509Certificate(material.caPem);
    const cert = new X509Certificate(material.certPem);
    assert.match(ca.subject, /CN=service-registry local CA/);
    assert.ok(ca.ca);
    assert.ok(cert.verify(ca.publicKey));
    assert.equal(await readFile(material.certPath, 'utf8'), material.certPem);
    assert.equal(material.changes.length, 2);
  });

  it('reuses the CA and server certificate on a second call', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const first = await ensureServerCertificates({ dataDir, addresses: ['10.1.2.3'] });
    const second = await ensureServerCertificates({ dataDir, addresses: ['10.1.2.3'] });
    assert.equal(certificateFingerprint(second.certPem), certificateFingerprint(first.certPem));
    assert.equal(certificateFingerprint(second.caPem), certificateFingerprint(first.caPem));
    assert.deepEqual(second.changes, []);
  });

  it('issues a new server certificate from the same CA when an address is not covered', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const first = await ensureServerCertificates({ dataDir });
    const second = await ensureServerCertificates({ dataDir, addresses: ['10.9.8.7'], hostnames: ['hub.example'] });
    assert.notEqual(certificateFingerprint(second.certPem), certificateFingerprint(first.certPem));
    assert.equal(second.caPem, first.caPem);
    const cert = new X509Certificate(second.certPem);
    assert.equal(cert.checkIP('10.9.8.7'), '10.9.8.7');
    assert.equal(cert.checkHost('hub.example'), 'hub.example');
  });

  it('gives processes that start at once one CA and one matching server pair', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const module = fileURLToPath(new URL('../../src/server/tls.ts', import.meta.url));
    const plan = fileURLToPath(new URL('../../src/server/tls-plan.ts', import.meta.url));
    const script = `const t = await import(${JSON.stringify(module)});
      const p = await import(${JSON.stringify(plan)});
      const m = await p.ensureServerCertificates({ dataDir: ${JSON.stringify(dataDir)} });
      console.log(t.certificateFingerprint(m.caPem) + ' ' + t.certificateFingerprint(m.certPem));`;
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        timeout: 30_000,
      });
    const outputs = await Promise.all([run(), run(), run()]);
    assert.equal(new Set(outputs.map((output) => output.stdout.trim())).size, 1);
    const onDisk = await loadTlsFiles({
      certPath: join(dataDir, 'tls', 'server.pem'),
      keyPath: join(dataDir, 'tls', 'server-key.pem'),
      caPath: join(dataDir, 'tls', 'ca.pem'),
    }); // loadTlsFiles also checks that the key matches the certificate
    const expected = `${certificateFingerprint(onDisk.caPem ?? '')} ${certificateFingerprint(onDisk.certPem)}`;
    assert.equal(outputs[0]?.stdout.trim(), expected);
  });
});

describe('node:tls with the local CA', () => {
  let dataDir: string;
  let material: TlsMaterial;
  let server: TestTlsServer;
  before(async () => {
    dataDir = await tempDir();
    material = await ensureServerCertificates({ dataDir });
    server = await startTlsServer({ cert: material.certPem, key: material.keyPem });
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts a client that trusts the CA and asks for localhost', async () => {
    const socket = await connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: material.caPem });
    assert.ok(socket.authorized);
    socket.destroy();
  });

  it('accepts a client that trusts the CA and connects to 127.0.0.1 by its IP SAN', async () => {
    const socket = await connect({ host: '127.0.0.1', port: server.port, ca: material.caPem });
    assert.ok(socket.authorized);
    assert.equal(tls.checkServerIdentity('127.0.0.1', socket.getPeerCertificate()), undefined);
    socket.destroy();
  });

  it('refuses a client that does not trust the CA', async () => {
    await assert.rejects(connect({ host: '127.0.0.1', port: server.port, servername: 'localhost' }), {
      code: /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/,
    });
  });
});

describe('issueClientCertificate', () => {
  let dataDir: string;
  let material: TlsMaterial;
  let server: TestTlsServer;
  before(async () => {
    dataDir = await tempDir();
    material = await ensureServerCertificates({ dataDir });
    server = await startTlsServer({
      cert: material.certPem,
      key: material.keyPem,
      ca: material.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('issues a certificate that an mTLS server verifies, with the role readable from the subject', async () => {
    const client = await issueClientCertificate({ dataDir, name: 'deployer', role: 'write' });
    const accepted = once(server.server, 'secureConnection', within());
    const socket = await connect({
      host: '127.0.0.1',
      port: server.port,
      ca: material.caPem,
      cert: client.certPem,
      key: client.keyPem,
    });
    const [peerSocket] = await accepted;
    assert.ok(peerSocket instanceof tls.TLSSocket);
    assert.ok(peerSocket.authorized);
    const subject = peerSocket.getPeerCertificate().subject;
    assert.equal(subject.CN, 'deployer');
    assert.equal(subject.OU, 'write');
    assert.equal(clientRoleFromSubject(subject), 'write');
    socket.destroy();
  });

  it('leaves an mTLS server refusing a client without a certificate', async () => {
    const refused = once(server.server, 'tlsClientError', within());
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: material.caPem });
    socket.on('error', () => undefined);
    const [error] = await refused;
    assert.ok(error instanceof Error);
    socket.destroy();
  });

  it('rejects a role outside read, write and admin', async () => {
    await assert.rejects(issueClientCertificate({ dataDir, name: 'x', role: 'root' as GrantedRole }), {
      name: 'RegistryError',
      code: 'invalid_params',
    });
  });
});

describe('loadTlsFiles', () => {
  let dataDir: string;
  let material: TlsMaterial;
  before(async () => {
    dataDir = await tempDir();
    material = await ensureServerCertificates({ dataDir });
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('reads a certificate, its key and a CA', async () => {
    const files = await loadTlsFiles(material);
    assert.equal(files.certPem, material.certPem);
    assert.equal(files.keyPem, material.keyPem);
    assert.equal(files.caPem, material.caPem);
  });

  it('names the missing file in its error', async () => {
    const missing = join(dataDir, 'nope.pem');
    await assert.rejects(loadTlsFiles({ certPath: material.certPath, keyPath: missing }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /cannot read the TLS key file .*nope\.pem/);
      return true;
    });
  });

  it('rejects a key that belongs to another certificate', async () => {
    const otherKey = join(dataDir, 'other-key.pem');
    await writeFile(otherKey, (await issueClientCertificate({ dataDir, name: 'other', role: 'read' })).keyPem);
    await assert.rejects(loadTlsFiles({ certPath: material.certPath, keyPath: otherKey }), {
      code: 'config_invalid',
      message: /does not match/,
    });
  });
});

describe('certificateFingerprint', () => {
  it('prints the SHA-256 of the DER as colon-separated uppercase hex, as openssl does', async () => {
    const dataDir = await tempDir();
    try {
      const { certPem } = await ensureServerCertificates({ dataDir });
      const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
      assert.equal(certificateFingerprint(certPem), hex.match(/../g)?.join(':'));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('clientRoleFromSubject', () => {
  it('reads one role and refuses none or several', () => {
    assert.equal(clientRoleFromSubject({ CN: 'a', OU: 'admin' }), 'admin');
    assert.equal(clientRoleFromSubject({ CN: 'a', OU: ['ops', 'read'] }), undefined, 'two OUs: refused, not read as the one that is a role');
    assert.equal(clientRoleFromSubject({ CN: 'a', OU: ['read', 'admin'] }), undefined);
    assert.equal(clientRoleFromSubject({ CN: 'a' }), undefined);
    assert.equal(clientRoleFromSubject(null), undefined);
  });
});
