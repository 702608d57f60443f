import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { c as createArchive, x as extractArchive } from 'tar';
import { buildPackage, CHECKSUM_FILE, verifyPackage } from '../../src/deploy/index.js';
import { resolveInside, type Tree, treeProblems } from '../../src/deploy/internal.js';
import { EXAMPLE_DIR, refusal } from './support.js';


describe('package build and verify', () => {
  let work = '';
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-package-test-'));
    await chmod(work, 0o755);
  });
  after(() => rm(work, { recursive: true, force: true }));

  /** A fresh copy of the example to change. */
  const copy = async (name: string): Promise<string> => {
    const dir = join(work, name);
    await cp(EXAMPLE_DIR, dir, { recursive: true });
    return dir;
  };

  it('builds the example into <name>-<version>.tar.gz with a checksum of every file', async () => {
    const pkg = await buildPackage(EXAMPLE_DIR, work);
    assert.equal(pkg.tarball, join(work, 'hello-service-1.0.0.tar.gz'));
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      ['bin/server.py', 'manifest.yaml', 'scripts/health.sh', 'scripts/start.sh', 'scripts/stop.sh'],
    );
    assert.equal(pkg.healthScript, 'scripts/health.sh');
    assert.equal((await verifyPackage(pkg.tarball)).sha256, pkg.sha256);
  });

  it('refuses a package whose file does not match its checksum', async () => {
    const dir = await copy('tampered');
    const built = await buildPackage(dir, join(work, 'tampered-out'));
    const unpacked = join(work, 'tampered-unpacked');
    await mkdir(unpacked);
    await extractArchive({ file: built.tarball, cwd: unpacked });
    await writeFile(join(unpacked, 'bin/server.py'), 'print("changed")\n');
    const file = join(work, 'tampered.tar.gz');
    await createArchive({ file, cwd: unpacked, gzip: true, portable: true }, [CHECKSUM_FILE, 'bin', 'manifest.yaml', 'scripts']);
    const error = await refusal(verifyPackage(file));
    assert.equal(error.code, 'package_invalid');
    assert.match(error.message, /'bin\/server\.py' does not match its checksum/);
  });

  it('refuses to build a folder without scripts/stop.sh', async () => {
    const dir = await copy('no-stop');
    await rm(join(dir, 'scripts/stop.sh'));
    const error = await refusal(buildPackage(dir, work));
    assert.match(error.message, /'scripts\/stop\.sh' is missing/);
  });

  it('refuses to build a folder with a link that points outside it', async () => {
    const dir = await copy('outside-link');
    await symlink('/etc/passwd', join(dir, 'bin/passwd'));
    const error = await refusal(buildPackage(dir, work));
    assert.match(error.message, /'bin\/passwd' is a symbolic link to '\/etc\/passwd', outside the package/);
  });

  it('keeps a link that stays inside the package', async () => {
    const dir = await copy('inside-link');
    await symlink('../bin/server.py', join(dir, 'scripts/server.py'));
    const pkg = await buildPackage(dir, join(work, 'inside-out'));
    assert.equal(pkg.manifest.name, 'hello-service');
  });
});

describe('resolveInside', () => {
  const tree = (entries: Record<string, string | null>): Tree =>
    new Map(Object.entries(entries).map(([path, target]) => [path, target === null ? { kind: 'dir' } : { kind: 'symlink', target }]));

  it('follows links inside the package', () => {
    assert.equal(resolveInside(tree({ a: null, 'a/l': '../b', b: null }), 'a/l/x'), 'b/x');
  });

  it('catches a link that leaves through another link pointing higher than it looks', () => {
    // a/b/l points at the root; x → a/b/l/.. looks like 'a/b' but is the root's parent.
    const t = tree({ a: null, 'a/b': null, 'a/b/l': '../..', x: 'a/b/l/..' });
    assert.equal(resolveInside(t, 'x'), undefined);
    assert.deepEqual(treeProblems(t), ["'x' is a symbolic link to 'a/b/l/..', outside the package"]);
  });

  it('gives up on a link loop', () => {
    assert.equal(resolveInside(tree({ a: 'b', b: 'a' }), 'a/x'), undefined);
  });
});
