/**
 * RegistryClient presenting a client certificate (mTLS): certificates made by
 * `registry cert issue-client`, given as files or as PEM, on a server where loopback grants
 * nothing, so the only role a connection holds is the one in its certificate's OU.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError, RegistryClient } from '../../src/client/index.js';
import { ensureLocalCa, issueClientCertificate } from '../../src/server/index.js';
import { runCaptured } from '../helpers/cli.js';
import type { TestServer } from '../helpers/test-server.js';
import { startConfiguredServer } from '../security/support.js';

interface Issued {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

describe('RegistryClient client certificates', () => {
  let srv: TestServer;
  let out: string;
  const issued = new Map<string, Issued>();

  /** `registry cert issue-client NAME --role ROLE` on the server's data folder. */
  const issue = async (name: string, role: 'read' | 'write' | 'admin'): Promise<Issued> => {
    const env = { HOME: out, XDG_CONFIG_HOME: join(out, 'config') };
    const result = await runCaptured(['--data-dir', srv.dataDir, '--json', 'cert', 'issue-client', name, '--role', role, '--out', out], { env, cwd: out });
    assert.equal(result.code, 0, result.stderr);
    const { cert_path: certFile, key_path: keyFile } = JSON.parse(result.stdout) as { cert_path: string; key_path: string };
    return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  };

  const connect = (options: Parameters<typeof RegistryClient.connect>[1]) => RegistryClient.connect(srv.url, { ca: srv.caPem, ...options });

  before(async () => {
    srv = await startConfiguredServer('[auth]\nloopback_role = "none"\n');
    out = await mkdtemp(join(tmpdir(), 'registry-client-certs-'));
    for (const [name, role] of [['reader', 'read'], ['writer', 'write'], ['operator', 'admin']] as const) issued.set(name, await issue(name, role));
  });
  after(async () => {
    await srv?.close();
    await rm(out, { recursive: true, force: true });
  });

  const pair = (name: string): Issued => {
    const found = issued.get(name);
    assert.ok(found, name);
    return found;
  };

  it('holds the role of the OU of a certificate given as files', async () => {
    const { certFile, keyFile } = pair('writer');
    const client = await connect({ certFile, keyFile });
    try {
      assert.equal((await client.status()).role, 'write');
      const registered = await client.register({ name: 'mtls-files', host: '10.0.0.9', port: 4444 });
      assert.equal(registered.created, true);
      await assert.rejects(client.reload(), { name: 'RegistryError', code: 'forbidden' });
    } finally {
      await client.close();
    }
  });

  it('holds the role of a certificate given as PEM text', async () => {
    const { cert, key } = pair('reader');
    const client = await connect({ cert, key });
    try {
      assert.equal((await client.status()).role, 'read');
      assert.ok(Array.isArray(await client.listServices()));
      await assert.rejects(client.register({ name: 'mtls-read', host: '10.0.0.9', port: 4444 }), { name: 'RegistryError', code: 'forbidden' });
    } finally {
      await client.close();
    }
  });

  it('takes the key from the certificate file when that file holds both', async () => {
    const { cert, key } = pair('operator');
    const both = join(out, 'operator-both.pem');
    await writeFile(both, `${cert.trimEnd()}\n${key}`, { mode: 0o600 });
    const client = await connect({ certFile: both });
    try {
      assert.equal((await client.status()).role, 'admin');
      assert.deepEqual(await client.reload(), { count: 0 });
    } finally {
      await client.close();
    }
  });

  it('keeps the certificate on the connections of an event stream', async () => {
    const { certFile, keyFile } = pair('reader');
    const client = await connect({ certFile, keyFile });
    const writer = await connect({ cert: pair('writer').cert, key: pair('writer').key });
    // From the next revision on: the registration is replayed if it commits before the stream subscribes.
    const since = (await writer.status()).revision + 1;
    const stream = client.subscribe({ events: ['ServiceRegistered'], services: ['mtls-streamed'], sinceRevision: since });
    try {
      await writer.register({ name: 'mtls-streamed', host: '10.0.0.10', port: 4444 });
      const { value } = await stream[Symbol.asyncIterator]().next();
      assert.equal(value?.event, 'ServiceRegistered');
    } finally {
      await stream.close();
      await writer.close();
      await client.close();
    }
  });

  it('is unauthorized without a certificate on this server', async () => {
    const client = await connect({});
    try {
      await assert.rejects(client.listServices(), { name: 'RegistryError', code: 'unauthorized' });
    } finally {
      await client.close();
    }
  });

  it('is refused (forbidden) with a certificate of a CA the server does not trust', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'registry-other-ca-'));
    try {
      await ensureLocalCa(otherDir);
      const foreign = await issueClientCertificate({ dataDir: otherDir, name: 'intruder', role: 'admin' });
      await assert.rejects(connect({ cert: foreign.certPem, key: foreign.keyPem }), { name: 'RegistryError', code: 'forbidden' });
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('rejects, before connecting, a key that does not belong to the certificate', async () => {
    await assert.rejects(connect({ cert: pair('reader').cert, key: pair('writer').key }), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.match(error.message, /client certificate and key cannot be used together/);
      return true;
    });
  });

  it('rejects a certificate without its key, a key without a certificate, and both forms of one', async () => {
    const { cert, key, certFile, keyFile } = pair('reader');
    await assert.rejects(connect({ cert }), { name: 'InvalidArgumentError', message: /needs its private key/ });
    await assert.rejects(connect({ keyFile }), { name: 'InvalidArgumentError', message: /without a certificate/ });
    await assert.rejects(connect({ cert, certFile, key }), { name: 'InvalidArgumentError', message: /give cert or certFile, not both/ });
    await assert.rejects(connect({ certFile: join(out, 'missing.pem'), key }), { name: 'InvalidArgumentError', message: /cannot read the client certificate file .*missing\.pem/ });
  });

  it('rejects a certificate for a ws:// URL, which has no TLS to present it on', async () => {
    const { cert, key } = pair('reader');
    await assert.rejects(RegistryClient.connect('ws://127.0.0.1:1', { cert, key }), { name: 'InvalidArgumentError', message: /needs a wss:\/\/ URL/ });
  });
});
