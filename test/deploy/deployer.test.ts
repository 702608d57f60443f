/**
 * Package deployment end to end: a real registry server, the real client, and a real OpenSSH
 * server on 127.0.0.1 (this machine is the node), deploying the example package.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { RegistryClient } from '../../src/client/index.js';
import { type DeploymentWire, RegistryError } from '../../src/domain/index.js';
import { runCaptured } from '../helpers/cli.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { freePort, keygen, type Sshd, sshdUnavailable, startSshd } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { answers, EXAMPLE_DIR, type Escape, listTree, makeEscapingPackage, makePackage, refusal, stopLeftovers } from './support.js';

const run = promisify(execFile);
const sshFingerprint = async (pub: string): Promise<string> => ((await run('ssh-keygen', ['-lf', pub])).stdout.split(' ')[1] ?? '');

function nodeTable(name: string, sshd: Sshd, installDir: string, hostKey: string): string {
  return [
    '[[node]]',
    `name = "${name}"`,
    `host = "${sshd.host}"`,
    `ssh_user = "${sshd.user}"`,
    `ssh_port = ${sshd.port}`,
    `ssh_key = "${sshd.clientKey}"`,
    `host_key = "${hostKey}"`,
    `install_dir = "${installDir}"`,
    '',
  ].join('\n');
}


describe('deploy_package and rollback over a real sshd', () => {
  let unavailable: string | undefined;
  let sshd: Sshd | undefined;
  let srv: TestServer | undefined;
  let client: RegistryClient | undefined;
  let work = '';
  let installDir = '';
  let otherKeyPub = '';
  const ports: number[] = [];
  const live = (t: TestContext): boolean => requirePeer(t, unavailable === undefined, unavailable ?? '');
  const connected = (): RegistryClient => client ?? assert.fail('no client');
  const deploy = (packagePath: string, node = 'local'): Promise<DeploymentWire> =>
    connected().call('deploy_package', { package_path: packagePath, target_node: node });

  before(async () => {
    unavailable = await sshdUnavailable();
    if (unavailable !== undefined) return;
    work = await mkdtemp(join(tmpdir(), 'registry-deploy-test-'));
    await chmod(work, 0o755);
    installDir = join(work, 'opt');
    sshd = await startSshd();
    await keygen(join(work, 'other_ed25519'));
    otherKeyPub = join(work, 'other_ed25519.pub');
    const otherKey = (await readFile(otherKeyPub, 'utf8')).trim();
    const dataDir = join(work, 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'backends.toml'), nodeTable('local', sshd, installDir, sshd.hostKeyLine) + nodeTable('impostor', sshd, installDir, otherKey));
    srv = await startTestServer({ dataDir, flags: { autoRegister: false } });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem ?? '', timeoutMs: 120_000 });
    for (let i = 0; i < 5; i++) ports.push(await freePort());
  });

  after(async () => {
    await client?.close();
    await srv?.close();
    await sshd?.close();
    if (installDir !== '') await stopLeftovers(installDir);
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('deploys v1: registered running with its endpoints, answering on its port, one event per step', async (t) => {
    if (!live(t)) return;
    const before = await connected().status();
    const record = await deploy(await makePackage(work, { version: '1.0.0', port: ports[0] ?? 0 }));
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(
      record.steps.map((s) => s.step),
      ['verify', 'connect', 'check', 'upload', 'unpack', 'stop', 'switch', 'install', 'start', 'health', 'register'],
    );
    const service = await connected().getService({ name: 'hello-service' });
    assert.equal(service.state, 'running');
    assert.equal(service.source, 'deploy');
    assert.equal(service.version, '1.0.0');
    assert.deepEqual(service.location, { type: 'remote', host: '127.0.0.1', ssh_user: sshd?.user, ssh_port: sshd?.port });
    assert.deepEqual(service.endpoints.map((e) => [e.name, e.port, e.protocol]), [['http', ports[0], 'http']]);
    assert.equal(await answers(ports[0] ?? 0), true);
    // The manifest's health became a standing check, passing, that the scheduler keeps running.
    const standing = service.checks?.find((c) => c.name === 'deploy');
    assert.ok(standing?.kind === 'tcp' && standing.port === ports[0] && standing.status === 'passing', JSON.stringify(service.checks));
    assert.equal(standing.interval, 1, 'the manifest interval of 200ms is raised to the 1 s floor');
    await eventually(async () => ((await connected().getHealth({ name: 'hello-service' })).checks.find((c) => c.name === 'deploy')?.output.includes('connected') ? true : undefined), 10_000, 'the standing check ran');
    assert.equal(await readlink(join(installDir, 'hello-service', 'current')), 'releases/1.0.0');
    const ws = await openRawSocket(srv?.url ?? '', srv?.caPem);
    try {
      ws.send({ id: 's', type: 'request', action: 'subscribe', params: { events: ['DeploymentProgress'], since_revision: before.revision + 1 } });
      const expected = record.steps.flatMap((s) => (s.step === 'verify' ? ['verify:succeeded'] : [`${s.step}:started`, `${s.step}:succeeded`]));
      const frames = (await ws.take(expected.length + 1, 10_000)).filter((f) => f.type === 'event');
      const seen = frames.map((f) => f.data as Record<string, unknown>).map((d) => `${String(d.step)}:${String(d.status)}`);
      assert.deepEqual(seen, expected);
    } finally {
      await ws.close();
    }
  });

  it('deploys v2: switched, v1 stopped', async (t) => {
    if (!live(t)) return;
    const record = await deploy(await makePackage(work, { version: '2.0.0', port: ports[1] ?? 0 }));
    assert.equal(record.previous_version, '1.0.0');
    const standing = (await connected().getService({ name: 'hello-service' })).checks?.find((c) => c.name === 'deploy');
    assert.ok(standing?.kind === 'tcp' && standing.port === ports[1], 'the standing check follows the new release');
    assert.equal(await readlink(join(installDir, 'hello-service', 'current')), 'releases/2.0.0');
    assert.equal(await answers(ports[1] ?? 0), true);
    assert.equal(await answers(ports[0] ?? 0), false);
    assert.equal((await connected().getService({ name: 'hello-service' })).version, '2.0.0');
  });

  it('rolls a v3 whose health check fails back to v2, which still serves, and records the failing step and output', async (t) => {
    if (!live(t)) return;
    const error = await refusal(deploy(await makePackage(work, { version: '3.0.0', port: ports[2] ?? 0, failingHealth: true })));
    assert.equal(error.code, 'deployment_failed');
    assert.equal(error.details.step, 'health');
    assert.equal(error.details.rolled_back_to, '2.0.0');
    const record = await connected().call('get_deployment', { id: String(error.details.deployment_id) });
    assert.equal(record.status, 'failed');
    assert.equal(record.failure?.step, 'health');
    assert.match(record.failure?.output ?? '', /version 3\.0\.0 is not healthy/);
    assert.equal(record.rolled_back_to, '2.0.0');
    assert.equal(record.steps.at(-1)?.step, 'rollback');
    assert.equal(await readlink(join(installDir, 'hello-service', 'current')), 'releases/2.0.0');
    assert.equal(await answers(ports[1] ?? 0), true);
    assert.equal(await answers(ports[2] ?? 0), false);
    const service = await connected().getService({ name: 'hello-service' });
    assert.deepEqual([service.version, service.state], ['2.0.0', 'running']);
  });

  it('rollback goes back to v1', async (t) => {
    if (!live(t)) return;
    const record = await connected().call('rollback', { node: 'local', service: 'hello-service' });
    assert.deepEqual([record.kind, record.status, record.version, record.previous_version], ['rollback', 'succeeded', '1.0.0', '2.0.0']);
    assert.equal(await readlink(join(installDir, 'hello-service', 'current')), 'releases/1.0.0');
    assert.equal(await answers(ports[0] ?? 0), true);
    assert.equal(await answers(ports[1] ?? 0), false);
    const service = await connected().getService({ name: 'hello-service' });
    assert.deepEqual([service.version, service.endpoints[0]?.port], ['1.0.0', ports[0]]);
  });

  it('refuses a host key that differs from the pinned one, naming both fingerprints', async (t) => {
    if (!live(t)) return;
    const error = await refusal(deploy(await makePackage(work, { version: '5.0.0', port: ports[3] ?? 0 }), 'impostor'));
    assert.equal(error.code, 'host_key_mismatch');
    const expected = await sshFingerprint(otherKeyPub);
    const offered = await sshFingerprint(join(sshd?.dir ?? '', 'host_ed25519.pub'));
    assert.ok(error.message.includes(`expected ${expected}`), error.message);
    assert.ok(error.message.includes(`offered ${offered}`), error.message);
    assert.equal(error.details.step, 'connect');
  });

  for (const escape of ['dotdot', 'absolute', 'symlink'] as const satisfies readonly Escape[]) {
    it(`refuses a package with an escaping entry (${escape}) before anything is written on the host`, async (t) => {
      if (!live(t)) return;
      const tarball = await makeEscapingPackage(work, escape);
      const before = await listTree(installDir);
      const deployments = (await connected().call('list_deployments', {})).length;
      const error = await refusal(deploy(tarball));
      assert.equal(error.code, 'package_invalid');
      assert.match(error.message, escape === 'symlink' ? /symbolic link to '\.\.\/\.\.\/\.\.'/ : escape === 'dotdot' ? /leaves the package/ : /absolute path/);
      assert.deepEqual(await listTree(installDir), before);
      assert.equal((await connected().call('list_deployments', {})).length, deployments);
    });
  }

  it('fails in the check step when a required command is missing on the node', async (t) => {
    if (!live(t)) return;
    const tarball = await makePackage(work, { version: '6.0.0', port: ports[3] ?? 0, requires: ['no-such-command-xyz'] });
    const error = await refusal(deploy(tarball));
    assert.equal(error.code, 'deployment_failed');
    assert.equal(error.details.step, 'check');
    assert.match(error.message, /lacks required commands no-such-command-xyz/);
    assert.ok(!(await listTree(installDir)).some((p) => p.includes('6.0.0')));
  });

  it('answers deployment_in_progress to a second simultaneous deployment of the service to the node', async (t) => {
    if (!live(t)) return;
    const tarball = await makePackage(work, { version: '4.0.0', port: ports[3] ?? 0 });
    const results = await Promise.allSettled([deploy(tarball), deploy(tarball)]);
    const done = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    assert.equal(done.length, 1);
    assert.equal(refused.length, 1);
    assert.ok(refused[0] instanceof RegistryError);
    assert.equal(refused[0].code, 'deployment_in_progress');
    assert.equal(await answers(ports[3] ?? 0), true);
  });
  it('registry package build, inspect and deploy show the package and each step', async (t) => {
    if (!live(t)) return;
    const caFile = join(work, 'ca.pem');
    await writeFile(caFile, srv?.caPem ?? '');
    const cli = (...argv: string[]) => runCaptured(['--url', srv?.url ?? '', '--ca', caFile, ...argv], { env: {}, cwd: work });
    const built = await cli('package', 'build', EXAMPLE_DIR, '--out', 'cli-out');
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /built .*cli-out\/hello-service-1\.0\.0\.tar\.gz \(hello-service 1\.0\.0, 5 files/);
    const inspected = await cli('package', 'inspect', 'cli-out/hello-service-1.0.0.tar.gz');
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /requires:\s+python3/);
    assert.match(inspected.stdout, /[0-9a-f]{64}  scripts\/start\.sh/);
    const pkg = await makePackage(work, { version: '7.0.0', port: ports[4] ?? 0 });
    const deployed = await cli('deploy', pkg, '--node', 'local');
    assert.equal(deployed.code, 0, deployed.stderr);
    for (const step of ['verify', 'connect', 'check', 'upload', 'unpack', 'stop', 'switch', 'start', 'health', 'register']) {
      assert.match(deployed.stdout, new RegExp(`^\\+\\d+\\.\\ds  ${step} succeeded`, 'm'), deployed.stdout);
    }
    assert.match(deployed.stdout, /deployed hello-service 7\.0\.0 to local/);
    const missing = await cli('deploy', join(work, 'absent.tar.gz'), '--node', 'local');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error \[package_invalid\]/);
  });
});
