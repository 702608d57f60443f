import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { type ReadEntry, t as listArchive } from 'tar';
import { RegistryError } from '../domain/index.js';
import { type FileChecksum, parseChecksums } from './checksums.js';
import { CHECKSUM_FILE, HEALTH_SCRIPT, INSTALL_SCRIPT, type Manifest, MANIFEST_FILE, parseManifest, START_SCRIPT, STOP_SCRIPT } from './manifest.js';
import { contentHash, normaliseEntryPath, pathProblem, type Tree, type TreeEntry, treeProblems } from './tree.js';

/** The most a package may weigh, and hold. */
export const DEFAULT_MAX_PACKAGE_BYTES = 1024 * 1024 * 1024;
const MAX_ENTRIES = 20_000;
const MAX_TEXT_FILE_BYTES = 1024 * 1024;

/** A package that passed every check: safe to upload and unpack. */
export interface VerifiedPackage {
  readonly manifest: Manifest;
  /** Absolute path of the `.tar.gz`. */
  readonly tarball: string;
  readonly bytes: number;
  /** sha256 of the tarball itself. */
  readonly sha256: string;
  readonly files: readonly FileChecksum[];
  readonly entries: number;
  readonly hasInstallScript: boolean;
  /** The health script to run, from the manifest or `scripts/health.sh` when present. */
  readonly healthScript?: string;
}

function refused(tarball: string, problems: readonly string[], cause?: unknown): RegistryError {
  const shown = problems.slice(0, 10).join('; ');
  const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
  return new RegistryError('package_invalid', `package ${tarball} is refused: ${shown}${more}`, { cause, details: { package: tarball, problems } });
}

interface Scan {
  readonly tree: Map<string, TreeEntry>;
  readonly texts: Map<string, string>;
  readonly problems: string[];
}

function entryKind(entry: ReadEntry): TreeEntry['kind'] | undefined {
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
      return 'dir';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    default:
      return undefined;
  }
}

function onEntry(scan: Scan, entry: ReadEntry): void {
  const path = normaliseEntryPath(entry.path);
  const kind = entryKind(entry);
  if (path === '' && kind === 'dir') return;
  const problem = pathProblem(path) ?? (kind === undefined ? `is a ${entry.type}; packages hold files, folders and links only` : undefined);
  if (problem !== undefined || kind === undefined) {
    scan.problems.push(`entry '${entry.path}' ${problem ?? 'is refused'}`);
    return;
  }
  if (scan.tree.has(path) || scan.tree.size >= MAX_ENTRIES) {
    scan.problems.push(scan.tree.has(path) ? `entry '${path}' appears twice` : `more than ${MAX_ENTRIES} entries`);
    return;
  }
  if (kind !== 'file') {
    scan.tree.set(path, kind === 'dir' ? { kind } : { kind, target: entry.linkpath ?? '' });
    return;
  }
  const hash = createHash('sha256');
  const keep = path === MANIFEST_FILE || path === CHECKSUM_FILE ? ([] as Buffer[]) : undefined;
  let size = 0;
  entry.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
    if (keep !== undefined && size <= MAX_TEXT_FILE_BYTES) keep.push(chunk);
  });
  entry.on('end', () => {
    scan.tree.set(path, { kind, size, sha256: hash.digest('hex'), mode: entry.mode ?? 0o644 });
    if (keep !== undefined) scan.texts.set(path, size > MAX_TEXT_FILE_BYTES ? '' : Buffer.concat(keep).toString('utf8'));
  });
}

async function scanArchive(tarball: string): Promise<Scan> {
  const scan: Scan = { tree: new Map(), texts: new Map(), problems: [] };
  try {
    await listArchive({ file: tarball, strict: true, onReadEntry: (entry) => onEntry(scan, entry) });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw refused(tarball, [`it is not a readable .tar.gz archive (${why})`], cause);
  }
  return scan;
}

function checksumProblems(tree: Tree, sums: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, entry] of tree) {
    if ((entry.kind === 'file' || entry.kind === 'hardlink') && path !== CHECKSUM_FILE && !sums.has(path)) {
      problems.push(`'${path}' is not listed in ${CHECKSUM_FILE}`);
    }
  }
  for (const [path, listed] of sums) {
    const actual = contentHash(tree, path);
    if (actual === undefined) problems.push(`'${path}' is listed in ${CHECKSUM_FILE} but is not a file of the package`);
    else if (actual !== listed) problems.push(`'${path}' does not match its checksum (listed ${listed.slice(0, 12)}…, content ${actual.slice(0, 12)}…)`);
  }
  return problems;
}

function requiredFiles(tree: Tree, manifest: Manifest): string[] {
  const wanted = [MANIFEST_FILE, CHECKSUM_FILE, START_SCRIPT, STOP_SCRIPT];
  if (manifest.health?.script !== undefined) wanted.push(manifest.health.script);
  return wanted.filter((path) => contentHash(tree, path) === undefined).map((path) => `'${path}' is missing`);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Reads a `.tar.gz` package without unpacking it and checks everything: entry paths and links,
 * the manifest, the checksum list and the required scripts. Throws `package_invalid` naming
 * every problem; nothing is written anywhere.
 */
export async function verifyPackage(tarball: string, maxBytes: number = DEFAULT_MAX_PACKAGE_BYTES): Promise<VerifiedPackage> {
  const info = await stat(tarball).catch((cause: unknown) => {
    throw new RegistryError('package_invalid', `package ${tarball} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      details: { package: tarball },
    });
  });
  if (!info.isFile()) throw refused(tarball, ['it is not a file']);
  if (info.size > maxBytes) throw refused(tarball, [`it is ${info.size} bytes, more than the ${maxBytes} allowed`]);
  const scan = await scanArchive(tarball);
  const problems = [...scan.problems, ...treeProblems(scan.tree)];
  if (problems.length > 0) throw refused(tarball, problems);
  const manifestText = scan.texts.get(MANIFEST_FILE);
  if (manifestText === undefined) throw refused(tarball, [`'${MANIFEST_FILE}' is missing`]);
  const manifest = parseManifest(manifestText);
  const sums = parseChecksums(scan.texts.get(CHECKSUM_FILE) ?? '');
  const contentProblems = [...requiredFiles(scan.tree, manifest), ...checksumProblems(scan.tree, sums)];
  if (contentProblems.length > 0) throw refused(tarball, contentProblems);
  const healthScript = manifest.health?.script ?? (contentHash(scan.tree, HEALTH_SCRIPT) === undefined ? undefined : HEALTH_SCRIPT);
  return {
    manifest,
    tarball,
    bytes: info.size,
    sha256: await sha256File(tarball),
    files: [...sums].map(([path, sha256]) => ({ path, sha256 })),
    entries: scan.tree.size,
    hasInstallScript: contentHash(scan.tree, INSTALL_SCRIPT) !== undefined,
    ...(healthScript === undefined ? {} : { healthScript }),
  };
}
