import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueClientCertificate } from '../../src/server/index.js';
import { captureLogs, type LogCapture } from '../helpers/log-capture.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, refusalOf, startConfiguredServer, type TestSocket } from './support.js';

/** Loopback gets no role here, so a local test connection stands for a remote caller. */
const LOOPBACK_LIKE_REMOTE = '[auth]\nloopback_role = "none"\n';
const service = { name: 'svc-a', host: '10.0.0.9', port: 4444 };

describe('bearer tokens', () => {
  let srv: TestServer;
  let logs: LogCapture;
  let admin: TestSocket;
  let seq = 0;
  const id = (): string => `t${++seq}`;

  const createToken = async (name: string, role: string): Promise<string> => {
    const answer = await admin.call(envelope(id(), 'token_create', { name, role }));
    assert.equal(envelopeCode(answer), undefined, JSON.stringify(answer));
    const token = (answer.result as Obj).token;
    assert.equal(typeof token, 'string');
    return String(token);
  };
  const withToken = (token: string) => openSocket(srv.url, { ca: srv.caPem, headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    logs = captureLogs();
    srv = await startConfiguredServer(LOOPBACK_LIKE_REMOTE, { logger: logs.logger });
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'operator', role: 'admin' });
    admin = await openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });
  });
  after(async () => {
    await admin?.close();
    await srv?.close();
  });

  it('answers the secret of a new token once and lists tokens without secrets or hashes', async () => {
    const token = await createToken('lister', 'read');
    assert.match(token, /^srg_[A-Za-z0-9_-]{43}$/);
    const listed = await admin.call(envelope(id(), 'token_list'));
    const entry = (listed.result as Obj[]).find((t) => t.name === 'lister');
    assert.deepEqual(Object.keys(entry ?? {}).sort(), ['created_at', 'name', 'role']);
    assert.equal(entry?.role, 'read');
    assert.ok(!JSON.stringify(listed).includes(token));
  });

  it('keeps only a hash: the secret appears in no file of the data folder', async () => {
    const token = await createToken('hashed', 'write');
    const files = (await readdir(srv.dataDir)).filter((f) => f.startsWith('registry.db'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const bytes = await readFile(join(srv.dataDir, file));
      assert.equal(bytes.includes(token), false, `${file} holds the secret`);
    }
  });

  it('refuses a second token with the same name and names the field', async () => {
    await createToken('twice', 'read');
    const answer = await admin.call(envelope(id(), 'token_create', { name: 'twice', role: 'admin' }));
    assert.equal(envelopeCode(answer), 'invalid_params');
    assert.match(String((answer.error as Obj).message), /name: a token named 'twice' exists/);
  });

  it('lets a read token list but not register, and a caller without credentials do neither', async () => {
    const reader = await withToken(await createToken('reader', 'read'));
    const nobody = await openSocket(srv.url, { ca: srv.caPem });
    try {
      assert.equal(envelopeCode(await reader.call(envelope(id(), 'list_services'))), undefined);
      assert.equal(envelopeCode(await reader.call(envelope(id(), 'register', service))), 'forbidden');
      assert.equal(envelopeCode(await nobody.call(envelope(id(), 'list_services'))), 'unauthorized');
      assert.equal(envelopeCode(await nobody.call(envelope(id(), 'register', service))), 'unauthorized');
    } finally {
      await reader.close();
      await nobody.close();
    }
  });

  it('refuses an upgrade with an unknown bearer token with HTTP 401 and the reason', async () => {
    const refused = await refusalOf(srv.url, { ca: srv.caPem, headers: { authorization: 'Bearer srg_not-a-real-token' } });
    assert.equal(refused.status, 401);
    assert.match(refused.body, /bearer token is not known/);
    assert.ok(!refused.body.includes('srg_not-a-real-token'));
  });

  it('refuses a malformed Authorization header with HTTP 401', async () => {
    const refused = await refusalOf(srv.url, { ca: srv.caPem, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(refused.status, 401);
    assert.match(refused.body, /must be 'Bearer <token>'/);
  });

  it('refuses a token in the URL with HTTP 400 and says where to put it', async () => {
    const token = await createToken('in-url', 'admin');
    const refused = await refusalOf(`${srv.url}/?token=${token}`, { ca: srv.caPem });
    assert.equal(refused.status, 400);
    assert.match(refused.contentType, /^text\/plain/);
    assert.match(refused.body, /never accepted in the URL.*Authorization: Bearer/);
    assert.ok(!refused.body.includes(token));
  });

  it('raises the role of a connection with an authenticate frame in each dialect', async () => {
    const token = await createToken('framed', 'write');
    const frames: Array<[string, Obj, (answers: Obj[]) => Obj]> = [
      ['envelope', envelope('a1', 'authenticate', { token }), ([a]) => (a?.result ?? {}) as Obj],
      ['jsonrpc', { jsonrpc: '2.0', id: 1, method: 'registry.authenticate', params: { token } }, ([a]) => ((a?.result as Obj).result ?? {}) as Obj],
      [
        'hub',
        { jsonrpc: '2.0', id: 2, method: 'registry-hub.call', params: { method: 'registry.authenticate', params: { token } } },
        ([, item]) => ((((item?.params as Obj).result as Obj).content as Obj).result ?? {}) as Obj,
      ],
    ];
    for (const [dialect, frame, read] of frames) {
      const ws = await openSocket(srv.url, { ca: srv.caPem });
      try {
        assert.equal(envelopeCode(await ws.call(envelope('before', 'register', service))), 'unauthorized', dialect);
        ws.send(frame);
        const answers = dialect === 'hub' ? [await ws.next(), await ws.next(), await ws.next()] : [await ws.next()];
        assert.deepEqual(read(answers), { role: 'write', via: 'token:framed' }, `${dialect}: ${JSON.stringify(answers)}`);
        assert.equal(envelopeCode(await ws.call(envelope('after', 'register', service))), undefined, dialect);
      } finally {
        await ws.close();
      }
    }
  });

  it('answers unauthorized to an authenticate frame with an unknown token and keeps the connection', async () => {
    const ws = await openSocket(srv.url, { ca: srv.caPem });
    try {
      const answer = await ws.call(envelope(id(), 'authenticate', { token: 'srg_wrong' }));
      assert.equal(envelopeCode(answer), 'unauthorized');
      assert.ok(!JSON.stringify(answer).includes('srg_wrong'));
      assert.equal(envelopeCode(await ws.call(envelope(id(), 'status'))), 'unauthorized');
    } finally {
      await ws.close();
    }
  });

  it('takes the role away from open connections as soon as their token is revoked', async () => {
    const ws = await withToken(await createToken('short-lived', 'read'));
    try {
      assert.equal(envelopeCode(await ws.call(envelope(id(), 'list_services'))), undefined);
      assert.equal(envelopeCode(await admin.call(envelope(id(), 'token_revoke', { name: 'short-lived' }))), undefined);
      assert.equal(envelopeCode(await ws.call(envelope(id(), 'list_services'))), 'unauthorized');
      const listed = await admin.call(envelope(id(), 'token_list'));
      assert.ok(!(listed.result as Obj[]).some((t) => t.name === 'short-lived'));
      assert.equal(envelopeCode(await admin.call(envelope(id(), 'token_revoke', { name: 'short-lived' }))), 'not_found');
    } finally {
      await ws.close();
    }
  });

  it('gives a caller with a certificate and a token the higher of the two roles', async () => {
    const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: 'both', role: 'read' });
    const token = await createToken('both-admin', 'admin');
    const ws = await openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem, headers: { authorization: `Bearer ${token}` } });
    try {
      const status = await ws.call(envelope(id(), 'status'));
      assert.equal((status.result as Obj).role, 'admin');
    } finally {
      await ws.close();
    }
  });

  it('logs each denial with the operation and role, and never a secret', async () => {
    const token = await createToken('logged', 'read');
    const ws = await withToken(token);
    try {
      await ws.call(envelope(id(), 'token_create', { name: 'sneaky', role: 'admin' }));
      const line = await logs.waitFor((l) => l.msg === 'request denied' && l.operation === 'token_create' && l.via === 'token:logged');
      assert.equal(line.code, 'forbidden');
      assert.equal(line.role, 'read');
      await refusalOf(srv.url, { ca: srv.caPem, headers: { authorization: `Bearer ${token}x` } });
      await logs.waitFor((l) => l.msg === 'connection refused' && l.status === 401);
      const all = JSON.stringify(logs.lines);
      assert.ok(!all.includes(token), 'no log line holds a token');
    } finally {
      await ws.close();
    }
  });
});
