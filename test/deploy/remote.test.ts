import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { inspectCommand, layoutFor, parseInspection, portVariable, scriptCommand, switchCommand, versionOfTarget } from '../../src/deploy/internal.js';

const run = promisify(execFile);
/** Runs a node command here, through bash as sshd would hand it to a login shell. */
const local = async (command: string): Promise<string> => (await run('/bin/bash', ['-c', command])).stdout;

describe('remote commands', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "registry-remote-test-it's "));
    await chmod(dir, 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reports missing commands and the current release', async () => {
    const layout = layoutFor(dir, 'api');
    await mkdir(join(layout.releases, '1.0.0'), { recursive: true });
    await symlink('releases/1.0.0', layout.current);
    const found = parseInspection(await local(inspectCommand(layout, { commands: ['sh', 'no-such-command-xyz'], libraries: [] })));
    assert.deepEqual(found.missingCommands, ['no-such-command-xyz']);
    assert.equal(found.current, '1.0.0');
  });

  it('switches the current link to another release in one rename', async () => {
    const layout = layoutFor(dir, 'web');
    await mkdir(join(layout.releases, '1.0.0'), { recursive: true });
    await mkdir(join(layout.releases, '2.0.0'), { recursive: true });
    await local(switchCommand(layout, '1.0.0', 'id-1'));
    await local(switchCommand(layout, '2.0.0', 'id-2'));
    assert.equal(await readlink(layout.current), 'releases/2.0.0');
  });

  it('runs a package script in its release folder with the deployment variables', async () => {
    const layout = layoutFor(dir, 'env');
    const release = join(layout.releases, '1.0.0');
    await mkdir(join(release, 'scripts'), { recursive: true });
    await writeFile(join(release, 'scripts/show.sh'), 'printf "%s|%s|%s|%s" "$(pwd)" "$SERVICE_NAME" "$SERVICE_VERSION" "$PORT_HTTP_API"\n');
    const env = { service: 'env', version: '1.0.0', deploymentId: 'd', ports: [{ name: 'http-api', port: 8080 }] };
    assert.equal(await local(scriptCommand(layout, 'scripts/show.sh', env)), `${release}|env|1.0.0|8080`);
    assert.equal(portVariable('http-api'), 'PORT_HTTP_API');
  });

  it('reads a version only from a releases/<version> link', () => {
    assert.equal(versionOfTarget('releases/1.2.3'), '1.2.3');
    assert.equal(versionOfTarget('/opt/api/releases/1.2.3/'), '1.2.3');
    assert.equal(versionOfTarget('/somewhere/else'), undefined);
    assert.equal(versionOfTarget('releases/..'), undefined);
  });
});
