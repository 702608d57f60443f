/**
 * Every operation × every role × loopback or remote × token, certificate or nothing. Remote
 * callers run in a network namespace joined to this host by a veth pair (10.233.N.0/30); the
 * server listens on every address, so its callers come from 127.0.0.1 and from the veth peer.
 * Loopback gets the `read` role here, so the loopback rows show that the highest role wins.
 * Expectations come from the operation table: one call per (operation, credential, role) with
 * empty params; a permitted call answers anything but unauthorized/forbidden, a denied one
 * exactly those.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type Role, roleAllows } from '../../src/domain/index.js';
import { operations } from '../../src/operations/index.js';
import { issueClientCertificate } from '../../src/server/index.js';
import { requirePeer } from '../helpers/peers.js';
import type { TestServer } from '../helpers/test-server.js';
import type { ConnectionOutcome, HoldOutcome, MatrixConnection, MatrixJob } from './matrix-client.js';
import { envelope, envelopeCode, type Obj, openSocket, startConfiguredServer } from './support.js';

const exec = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const clientScript = fileURLToPath(new URL('./matrix-client.ts', import.meta.url));
const LOOPBACK_ROLE: Role = 'read';
const PER_ADDRESS = 4;
const credentialRoles = ['read', 'write', 'admin'] as const;
type Kind = 'nothing' | 'token' | 'certificate';

const run = async (command: string, args: readonly string[]): Promise<string> => (await exec(command, [...args], { timeout: 60_000, cwd: projectRoot })).stdout;

/** A namespace with one veth to this host: host side .1, namespace side .2 of a /30. */
interface Remote {
  readonly ns: string;
  readonly hostAddress: string;
  close(): Promise<void>;
}

async function buildRemote(): Promise<Remote> {
  const id = randomBytes(3).toString('hex');
  const subnet = randomBytes(1)[0] ?? 0;
  const [ns, hostSide, nsSide] = [`rsec-${id}`, `vsh${id}`, `vsn${id}`];
  const hostAddress = `10.233.${subnet}.1`;
  const close = async (): Promise<void> => {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    await run('ip', ['link', 'del', hostSide]).catch(() => undefined);
  };
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide]);
    await run('ip', ['link', 'set', nsSide, 'netns', ns]);
    await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostSide]);
    await run('ip', ['-n', ns, 'addr', 'add', `10.233.${subnet}.2/30`, 'dev', nsSide]);
    await run('ip', ['link', 'set', hostSide, 'up']);
    await run('ip', ['-n', ns, 'link', 'set', nsSide, 'up']);
    return { ns, hostAddress, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function missingPeers(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  const ok = await run('ip', ['netns', 'list']).then(() => true, () => false);
  return ok ? undefined : "'ip netns' does not run (install iproute2)";
}

const rank: Readonly<Record<Role, number>> = { none: 0, read: 1, write: 2, admin: 3 };
const highest = (a: Role, b: Role): Role => (rank[a] >= rank[b] ? a : b);
const label = (kind: Kind, role: Role): string => (kind === 'nothing' ? 'nothing' : `${kind}:${role}`);
const DENIED = new Set(['unauthorized', 'forbidden']);

describe('auth matrix', () => {
  let missing: string | undefined;
  let remote: Remote | undefined;
  let srv: TestServer | undefined;
  const outcomes = new Map<'loopback' | 'remote', Record<string, ConnectionOutcome>>();
  let scenario: Record<string, ConnectionOutcome> = {};
  let remoteHold: HoldOutcome | undefined;
  let loopbackHold: HoldOutcome | undefined;

  const runJob = async <T>(job: MatrixJob, ns: string | undefined): Promise<T> => {
    const file = join(srv?.dataDir ?? '', `job-${randomBytes(4).toString('hex')}.json`);
    await writeFile(file, JSON.stringify(job));
    const command = [process.execPath, '--import', 'tsx', clientScript, file];
    const out = ns === undefined ? await run(command[0] ?? '', command.slice(1)) : await run('ip', ['netns', 'exec', ns, ...command]);
    return JSON.parse(out) as T;
  };

  before(async () => {
    missing = await missingPeers();
    if (missing !== undefined) return;
    remote = await buildRemote();
    srv = await startConfiguredServer(`[auth]\nloopback_role = "${LOOPBACK_ROLE}"\n[limits]\nmax_connections_per_address = ${PER_ADDRESS}\n`, { flags: { host: '0.0.0.0' } });
    const port = new URL(srv.url).port;
    const ca = srv.caPem ?? '';
    const setup = await issueClientCertificate({ dataDir: srv.dataDir, name: 'matrix-admin', role: 'admin' });
    const admin = await openSocket(`wss://127.0.0.1:${port}`, { ca, cert: setup.certPem, key: setup.keyPem });
    const credentials: Array<{ kind: Kind; role: Role } & Omit<MatrixConnection, 'label' | 'calls'>> = [{ kind: 'nothing', role: 'none' }];
    try {
      for (const role of credentialRoles) {
        const created = await admin.call(envelope(`t-${role}`, 'token_create', { name: `matrix-${role}`, role }));
        credentials.push({ kind: 'token', role, token: String((created.result as Obj).token) });
        const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: `matrix-${role}`, role });
        credentials.push({ kind: 'certificate', role, cert: pair.certPem, key: pair.keyPem });
      }
    } finally {
      await admin.close();
    }
    const calls = operations.map((op) => ({ action: op.name, params: {} }));
    const connections = credentials.map(({ kind, role, ...creds }) => ({ label: label(kind, role), ...creds, calls }));
    const remoteUrl = `wss://${remote.hostAddress}:${port}`;
    outcomes.set('loopback', await runJob({ url: `wss://127.0.0.1:${port}`, ca, connections }, undefined));
    outcomes.set('remote', await runJob({ url: remoteUrl, ca, connections }, remote.ns));
    const byLabel = new Map(connections.map((c) => [c.label, c]));
    const service = (name: string) => ({ name, host: '10.0.0.5', port: 4444 });
    const done = (name: string, calls: MatrixConnection['calls']): MatrixConnection => ({ ...byLabel.get(name), label: name, calls });
    scenario = await runJob(
      {
        url: remoteUrl,
        ca,
        connections: [
          done('nothing', [{ action: 'list_services', params: {} }, { action: 'register', params: service('remote-anonymous') }]),
          done('token:read', [{ action: 'list_services', params: {} }, { action: 'register', params: service('remote-reader') }]),
          done('certificate:write', [
            { action: 'register', params: service('remote-writer') },
            { action: 'deploy_package', params: { package_path: '/nonexistent.tar.gz', target_node: 'none' } },
            { action: 'reload', params: {} },
          ]),
        ],
      },
      remote.ns,
    );
    remoteHold = await runJob({ url: remoteUrl, ca, hold: PER_ADDRESS + 1 }, remote.ns);
    loopbackHold = await runJob({ url: `wss://127.0.0.1:${port}`, ca, hold: PER_ADDRESS + 1 }, undefined);
  });
  after(async () => {
    await srv?.close();
    await remote?.close();
  });

  it('answers every operation as the table says, for each role and credential, from loopback and remote', (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '')) return;
    const mismatches: string[] = [];
    let checked = 0;
    for (const place of ['loopback', 'remote'] as const) {
      const results = outcomes.get(place) ?? {};
      const kinds: Array<[Kind, Role]> = [['nothing', 'none'], ...credentialRoles.flatMap((r): Array<[Kind, Role]> => [['token', r], ['certificate', r]])];
      for (const [kind, role] of kinds) {
        const effective = place === 'loopback' ? highest(LOOPBACK_ROLE, role) : role;
        const outcome = results[label(kind, role)];
        if (outcome === undefined || !('calls' in outcome)) {
          mismatches.push(`${place} ${label(kind, role)}: ${JSON.stringify(outcome)}`);
          continue;
        }
        operations.forEach((op, index) => {
          const got = outcome.calls[index] ?? 'no answer';
          const want = roleAllows(effective, op.role) ? 'permitted' : effective === 'none' ? 'unauthorized' : 'forbidden';
          const ok = want === 'permitted' ? !DENIED.has(got) : got === want;
          checked++;
          if (!ok) mismatches.push(`${place} ${label(kind, role)} ${op.name} (needs ${op.role}): expected ${want}, got ${got}`);
        });
      }
    }
    assert.deepEqual(mismatches, []);
    assert.equal(checked, 2 * 7 * operations.length);
  });

  it('gives a remote caller without credentials neither reads nor writes', (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '')) return;
    assert.deepEqual(scenario.nothing, { calls: ['unauthorized', 'unauthorized'] });
  });

  it('lets a remote caller with a read token list but not register', (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '')) return;
    assert.deepEqual(scenario['token:read'], { calls: ['ok', 'forbidden'] });
  });

  it('lets a remote caller with a write certificate register but neither deploy nor reload', (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '')) return;
    assert.deepEqual(scenario['certificate:write'], { calls: ['ok', 'forbidden', 'forbidden'] });
  });

  it('refuses a remote address past its connection limit with HTTP 503, and not loopback', (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '')) return;
    assert.equal(remoteHold?.opened, PER_ADDRESS);
    assert.equal(remoteHold?.refused.length, 1);
    assert.equal(remoteHold?.refused[0]?.status, 503);
    assert.match(remoteHold?.refused[0]?.body ?? '', /10\.233\.\d+\.2 holds its limit of 4 connections/);
    assert.deepEqual(loopbackHold, { opened: PER_ADDRESS + 1, refused: [] });
  });

  it('registered only what a permitted caller asked for', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '')) return;
    const ws = await openSocket(srv?.url.replace('0.0.0.0', '127.0.0.1') ?? '', { ca: srv?.caPem });
    try {
      const listed = await ws.call(envelope('l', 'list_services'));
      const names = (listed.result as Obj[]).map((s) => s.name);
      assert.ok(names.includes('remote-writer'));
      assert.ok(!names.includes('remote-anonymous') && !names.includes('remote-reader'));
      assert.equal(envelopeCode(listed), undefined);
    } finally {
      await ws.close();
    }
  });
});
