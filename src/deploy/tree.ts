import { isPackagePath } from './manifest.js';

/**
 * A package's file tree as its archive (or folder) describes it, checked before anything is
 * written anywhere: every entry must stay inside the package, including through its symlinks.
 */
export type TreeEntry =
  | { readonly kind: 'file'; readonly size: number; readonly sha256: string; readonly mode: number }
  | { readonly kind: 'dir' }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'hardlink'; readonly target: string };

export type Tree = ReadonlyMap<string, TreeEntry>;

const MAX_LINK_DEPTH = 40;

/**
 * Resolves `path` inside the tree as the kernel would, following the tree's symlinks at every
 * component; undefined when it leaves the package root (or loops).
 */
export function resolveInside(tree: Tree, path: string, depth = 0): string | undefined {
  let stack: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return undefined;
      stack.pop();
      continue;
    }
    stack.push(part);
    const entry = tree.get(stack.join('/'));
    if (entry?.kind !== 'symlink') continue;
    if (depth >= MAX_LINK_DEPTH || entry.target.startsWith('/')) return undefined;
    const parent = stack.slice(0, -1).join('/');
    const resolved = resolveInside(tree, parent === '' ? entry.target : `${parent}/${entry.target}`, depth + 1);
    if (resolved === undefined) return undefined;
    stack = resolved === '' ? [] : resolved.split('/');
  }
  return stack.join('/');
}

/** `./bin/x` → `bin/x`, `dir/` → `dir`; the root itself becomes ''. */
export function normaliseEntryPath(raw: string): string {
  let path = raw;
  while (path.startsWith('./')) path = path.slice(2);
  while (path.endsWith('/') && path.length > 1) path = path.slice(0, -1);
  return path === '.' ? '' : path;
}

/** Why an entry path is refused, or undefined when it is a safe relative path. */
export function pathProblem(path: string): string | undefined {
  if (path.startsWith('/')) return 'is an absolute path';
  if (path.split('/').includes('..')) return 'leaves the package folder ("..")';
  if (!isPackagePath(path)) return 'has characters other than letters, digits and "._@+-"';
  return undefined;
}

/** Every problem of the tree, one line per entry; empty when it is safe to unpack. */
export function treeProblems(tree: Tree): string[] {
  const problems: string[] = [];
  for (const [path, entry] of tree) {
    const slash = path.lastIndexOf('/');
    if (slash > 0 && resolveInside(tree, path.slice(0, slash)) === undefined) {
      problems.push(`'${path}' lies under a link that leaves the package`);
    } else if (entry.kind === 'symlink' && (entry.target.startsWith('/') || resolveInside(tree, path) === undefined)) {
      problems.push(`'${path}' is a symbolic link to '${entry.target}', outside the package`);
    } else if (entry.kind === 'hardlink' && !hardlinkInside(tree, entry.target)) {
      problems.push(`'${path}' is a hard link to '${entry.target}', which is not a file of the package`);
    }
  }
  return problems;
}

function hardlinkInside(tree: Tree, target: string): boolean {
  const path = normaliseEntryPath(target);
  return pathProblem(path) === undefined && tree.get(path)?.kind === 'file' && resolveInside(tree, path) === path;
}

/** The sha256 of a file entry, following a hard link to its file. */
export function contentHash(tree: Tree, path: string): string | undefined {
  const entry = tree.get(path);
  if (entry?.kind === 'file') return entry.sha256;
  if (entry?.kind === 'hardlink') {
    const target = tree.get(normaliseEntryPath(entry.target));
    return target?.kind === 'file' ? target.sha256 : undefined;
  }
  return undefined;
}
