/**
 * `registry ui`: the link that signs a browser into the dashboard. The CLI's own role mints a
 * short-lived read token; the link carries it in the fragment (never sent to a server), on the
 * scheme and address of the server the CLI reached. Signing in with it is in test/ui/.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { runCaptured } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { envelope, openSocket } from '../security/support.js';

describe('registry ui', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let work: string;
  let global: string[];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-cli-ui-'));
    srv = await startTestServer();
    await writeFile(join(work, 'ca.pem'), srv.caPem ?? '');
    global = ['--url', srv.url, '--ca', join(work, 'ca.pem')];
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('prints only the link on stdout, with a read token that expires in an hour', async () => {
    const result = await runCaptured([...global, 'ui'], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    const match = /^https:\/\/127\.0\.0\.1:(\d+)\/ui\/#token=(srg_[A-Za-z0-9_-]{43})\n$/.exec(result.stdout);
    assert.ok(match, result.stdout);
    assert.equal(Number(match[1]), srv.server.port);
    const named = /signs in as '(dashboard-[0-9a-f]{8})' \(read\) until .+registry token revoke dashboard-/.exec(result.stderr);
    assert.ok(named, result.stderr);
    const token = (await client.call('token_list', {})).find((t) => t.name === named[1]);
    assert.equal(token?.role, 'read');
    assert.equal((token?.expires_at ?? 0) - (token?.created_at ?? 0), 3600);
    // The printed secret is that token's: a page of the server's own origin (no loopback role) signs in with it.
    const page = await openSocket(srv.url, { ca: srv.caPem, headers: { origin: `https://127.0.0.1:${srv.server.port}` } });
    try {
      assert.deepEqual((await page.call(envelope('a', 'authenticate', { token: match[2] ?? '' }))).result, { role: 'read', via: `token:${named[1] ?? ''}` });
    } finally {
      await page.close();
    }
  });

  it('takes --ttl, and prints the link and the token with --json', async () => {
    const result = await runCaptured([...global, '--json', 'dashboard', '--ttl', '15m'], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { url: string; token_name: string; role: string; expires_at: number };
    assert.deepEqual(Object.keys(printed), ['url', 'token_name', 'role', 'expires_at']);
    assert.match(printed.url, /\/ui\/#token=srg_/);
    assert.equal(printed.role, 'read');
    const token = (await client.call('token_list', {})).find((t) => t.name === printed.token_name);
    assert.equal(token?.expires_at, printed.expires_at);
    assert.equal(printed.expires_at - (token?.created_at ?? 0), 900);
  });

  it('refuses a lifetime that is not a duration, as a usage error', async () => {
    const result = await runCaptured([...global, 'ui', '--ttl', 'soon'], { env: {} });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--ttl.*must be seconds or a duration/);
  });

  it('needs a caller that may create tokens', async () => {
    const restricted = await startTestServer({ configText: '[auth]\nloopback_role = "read"\n' });
    try {
      await writeFile(join(work, 'restricted-ca.pem'), restricted.caPem ?? '');
      const result = await runCaptured(['--url', restricted.url, '--ca', join(work, 'restricted-ca.pem'), 'ui'], { env: {} });
      assert.equal(result.code, 4);
      assert.match(result.stderr, /forbidden.*token_create' needs the admin role/);
      assert.equal(result.stdout, '');
    } finally {
      await restricted.close();
    }
  });

  it('links to http:// when the server speaks plaintext on loopback', async () => {
    const plain = await startTestServer({ flags: { insecureLoopback: true } });
    try {
      const result = await runCaptured(['--url', plain.url, 'ui'], { env: {} });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^http://127\\.0\\.0\\.1:${plain.server.port}/ui/#token=srg_`));
    } finally {
      await plain.close();
    }
  });
});
