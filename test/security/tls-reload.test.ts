import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { issueServerCertificate, normaliseServerNames } from '../../src/server/certificates.js';
import { certificateFingerprint, localTlsPaths } from '../../src/server/index.js';
import { readIfPresent } from '../../src/server/tls.js';
import { runCaptured } from '../helpers/cli.js';
import { captureLogs, eventually, type LogCapture } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, openSocket } from './support.js';

/** The done-when bound: new connections present the new certificate within this. */
const SWITCH_MS = 2_000;

/** The SHA-256 fingerprint of the certificate a new TLS connection to the port is shown. */
function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('no TLS handshake within 5 s')));
    socket.once('error', reject);
  });
}

const portOf = (url: string): number => Number(new URL(url).port);

/** The error code of a handshake that offers at most `version` (the client allows old ones). */
function handshakeError(port: number, version: 'TLSv1.1' | 'TLSv1.2'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const options = { host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    const socket = connect(options, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
  });
}

/** Replaces a file the way careful tools do: a temporary file, then a rename over it. */
async function replace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.new`, text, { mode: 0o600 });
  await rename(`${path}.new`, path);
}

async function newServerPair(dataDir: string): Promise<{ certPem: string; keyPem: string }> {
  const paths = localTlsPaths(dataDir);
  const [caCert, caKey] = await Promise.all([readIfPresent(paths.caPath), readIfPresent(paths.caKeyPath)]);
  assert.ok(caCert !== undefined && caKey !== undefined);
  const names = normaliseServerNames(['localhost'], ['127.0.0.1', '::1']);
  return issueServerCertificate({ certPem: caCert, keyPem: caKey }, names, new Date());
}

describe('TLS certificate reload', () => {
  let srv: TestServer;
  let logs: LogCapture;
  before(async () => {
    logs = captureLogs();
    srv = await startTestServer({ logger: logs.logger });
  });
  after(() => srv?.close());

  it('switches new connections to replaced certificate files within 2 s while an open one keeps going', async () => {
    const port = portOf(srv.url);
    const before = await presentedFingerprint(port);
    assert.equal(before, certificateFingerprint(srv.server.certPem ?? ''));
    const open = await openSocket(srv.url, { ca: srv.caPem });
    try {
      const next = await newServerPair(srv.dataDir);
      const wanted = certificateFingerprint(next.certPem);
      const paths = localTlsPaths(srv.dataDir);
      await replace(paths.keyPath, next.keyPem);
      await replace(paths.certPath, next.certPem);
      await eventually(async () => ((await presentedFingerprint(port)) === wanted ? true : undefined), SWITCH_MS, 'the new certificate');
      assert.equal(certificateFingerprint(srv.server.certPem ?? ''), wanted);
      assert.equal(envelopeCode(await open.call(envelope('still', 'status'))), undefined, 'the open connection still answers');
      const fresh = await openSocket(srv.url, { ca: srv.caPem });
      await fresh.close();
    } finally {
      await open.close();
    }
  });

  it('refuses TLS 1.1 handshakes, after a reload as before', async () => {
    const port = portOf(srv.url);
    assert.equal(await handshakeError(port, 'TLSv1.1'), 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    assert.equal(await handshakeError(port, 'TLSv1.2'), undefined);
  });

  it('keeps the last good certificate when the new files do not belong together', async () => {
    const port = portOf(srv.url);
    const current = await presentedFingerprint(port);
    const stray = await newServerPair(srv.dataDir);
    await replace(localTlsPaths(srv.dataDir).keyPath, stray.keyPem);
    await logs.waitFor((line) => line.msg === 'TLS files rejected; the last good certificate stays in force');
    assert.equal(await presentedFingerprint(port), current);
    // Finish the pair: now it is whole and goes into force.
    await replace(localTlsPaths(srv.dataDir).certPath, stray.certPem);
    const wanted = certificateFingerprint(stray.certPem);
    await eventually(async () => ((await presentedFingerprint(port)) === wanted ? true : undefined), SWITCH_MS, 'the completed pair');
  });

  it('rotates with `registry cert rotate`, which the running server picks up', async () => {
    const port = portOf(srv.url);
    const before = await presentedFingerprint(port);
    const env = { HOME: srv.dataDir, XDG_CONFIG_HOME: srv.dataDir };
    const result = await runCaptured(['--json', '--data-dir', srv.dataDir, '--config', srv.configPath, 'cert', 'rotate'], { env });
    assert.equal(result.code, 0, result.stderr);
    const { fingerprint } = JSON.parse(result.stdout) as { fingerprint: string };
    assert.notEqual(fingerprint, before);
    await eventually(async () => ((await presentedFingerprint(port)) === fingerprint ? true : undefined), SWITCH_MS, 'the rotated certificate');
    const client = await openSocket(srv.url, { ca: srv.caPem });
    await client.close();
  });
});
