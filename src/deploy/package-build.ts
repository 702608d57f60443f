import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { c as createArchive } from 'tar';
import { RegistryError } from '../domain/index.js';
import { formatChecksums } from './checksums.js';
import { CHECKSUM_FILE, MANIFEST_FILE, packageFileName, parseManifest, START_SCRIPT, STOP_SCRIPT } from './manifest.js';
import { type VerifiedPackage, verifyPackage } from './package-read.js';
import { pathProblem, type TreeEntry, treeProblems } from './tree.js';

function refused(dir: string, problems: readonly string[]): RegistryError {
  return new RegistryError('package_invalid', `cannot build a package from ${dir}: ${problems.join('; ')}`, {
    details: { package: dir, problems },
  });
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

interface Walked {
  readonly tree: Map<string, TreeEntry>;
  readonly problems: string[];
}

/** Every entry under `dir`, sorted, without following links; `skip` holds absolute paths to leave out. */
async function walk(dir: string, skip: ReadonlySet<string>): Promise<Walked> {
  const walked: Walked = { tree: new Map(), problems: [] };
  const visit = async (relative: string): Promise<void> => {
    const names = (await readdir(join(dir, relative))).sort();
    for (const name of names) {
      const path = relative === '' ? name : `${relative}/${name}`;
      const absolute = join(dir, path);
      if ((relative === '' && name === CHECKSUM_FILE) || skip.has(absolute)) continue;
      const problem = pathProblem(path);
      if (problem !== undefined) {
        walked.problems.push(`'${path}' ${problem}`);
        continue;
      }
      const info = await lstat(absolute);
      if (info.isSymbolicLink()) walked.tree.set(path, { kind: 'symlink', target: await readlink(absolute) });
      else if (info.isDirectory()) {
        walked.tree.set(path, { kind: 'dir' });
        await visit(path);
      } else if (info.isFile()) walked.tree.set(path, { kind: 'file', size: info.size, sha256: await sha256Of(absolute), mode: info.mode });
      else walked.problems.push(`'${path}' is not a file, folder or link`);
    }
  };
  await visit('');
  return walked;
}

/**
 * `registry package build DIR`: checks the folder (manifest, required scripts, links that stay
 * inside), writes `<name>-<version>.tar.gz` into `outDir` with a `SHA256SUMS` list of every
 * file, and verifies the result as a deployment would. An existing `SHA256SUMS` is replaced.
 */
export async function buildPackage(dir: string, outDir: string): Promise<VerifiedPackage> {
  const root = resolve(dir);
  const manifestText = await readFile(join(root, MANIFEST_FILE), 'utf8').catch(() => {
    throw refused(root, [`'${MANIFEST_FILE}' is missing or unreadable`]);
  });
  const manifest = parseManifest(manifestText, join(root, MANIFEST_FILE));
  const output = join(resolve(outDir), packageFileName(manifest));
  const { tree, problems } = await walk(root, new Set([output, `${output}.partial`]));
  for (const required of [START_SCRIPT, STOP_SCRIPT]) {
    if (tree.get(required)?.kind !== 'file') problems.push(`'${required}' is missing`);
  }
  problems.push(...treeProblems(tree));
  if (problems.length > 0) throw refused(root, problems);
  const files = [...tree].flatMap(([path, entry]) => (entry.kind === 'file' ? [{ path, sha256: entry.sha256 }] : []));
  await mkdir(resolve(outDir), { recursive: true });
  const staging = await mkdtemp(join(tmpdir(), 'registry-package-'));
  try {
    await writeFile(join(staging, CHECKSUM_FILE), formatChecksums(files), { mode: 0o644 });
    const sums = join(staging, 'sums.tar');
    await createArchive({ file: sums, cwd: staging, portable: true }, [CHECKSUM_FILE]);
    const partial = `${output}.partial`;
    await createArchive({ file: partial, cwd: root, gzip: true, portable: true, noDirRecurse: true, follow: false }, [`@${sums}`, ...tree.keys()]);
    await rename(partial, output);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return verifyPackage(output);
}
