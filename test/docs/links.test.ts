/**
 * A clone has only what the repository holds: every link of its Markdown must land on a file of
 * the repository (and a heading there, when it names one), and the README, docs/ and examples/
 * link nowhere else, the web included. Documents that live outside the repository (the design
 * and style notes the project grew from) are not to be pointed at.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKIPPED = new Set(['node_modules', '.git', 'results']);
/** Where no link may leave the repository at all. */
const SELF_CONTAINED = (path: string): boolean => path === 'README.md' || path.startsWith(`docs${sep}`) || path.startsWith(`examples${sep}`);
/** Names of documents a clone does not have. */
const OUTSIDE_DOCUMENTS = /\bDESIGN(\.md| ?§)|\bSTYLE(\.md| rule| ?§)|shared folder/;

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.filter((e) => !SKIPPED.has(e.name)).map((e) => (e.isDirectory() ? filesUnder(join(folder, e.name)) : Promise.resolve([join(folder, e.name)]))),
  );
  return nested.flat();
}

/** The prose of a Markdown file: fenced blocks and code spans removed, since what they hold is not a link. */
function prose(markdown: string): string {
  let fence: string | undefined;
  const kept: string[] = [];
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker === fence)) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) kept.push(line);
  }
  return kept.join('\n').replace(/(`+)[\s\S]*?\1/g, '');
}

/** Every link target: inline `[text](target)`, reference definitions `[name]: target`, and autolinks `<scheme:…>`. */
function linksOf(markdown: string): string[] {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)].map((m) => m[1] ?? ''),
  ];
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as '-', repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown.replace(/`/g, '')).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

describe('links in the repository', () => {
  let markdown: Map<string, string>;

  before(async () => {
    const files = (await filesUnder(ROOT)).filter((path) => path.endsWith('.md'));
    markdown = new Map(await Promise.all(files.map(async (path) => [relative(ROOT, path), await readFile(path, 'utf8')] as const)));
    assert.ok(markdown.has('README.md') && markdown.has(join('docs', 'ARCHITECTURE.md')), 'the README and docs/ARCHITECTURE.md are found');
  });

  it('land on a file of the repository, and on a heading there when they name one', () => {
    const broken: string[] = [];
    for (const [path, text] of markdown) {
      for (const link of linksOf(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
        const [target = '', anchor] = link.split('#');
        const file = target === '' ? join(ROOT, path) : resolve(ROOT, dirname(path), decodeURIComponent(target));
        const inside = !relative(ROOT, file).startsWith('..') && !target.startsWith('/');
        if (!inside || !existsSync(file)) {
          broken.push(`${path}: ${link} (${inside ? 'no such file' : 'outside the repository'})`);
          continue;
        }
        const linked = markdown.get(relative(ROOT, file));
        if (anchor !== undefined && linked !== undefined && !anchorsOf(linked).has(anchor)) broken.push(`${path}: ${link} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('leave the repository nowhere in the README, docs/ and examples/, the web included', () => {
    const leaving = [...markdown]
      .filter(([path]) => SELF_CONTAINED(path))
      .flatMap(([path, text]) => linksOf(text).filter((link) => /^[a-z][a-z0-9+.-]*:/i.test(link)).map((link) => `${path}: ${link}`));
    assert.deepEqual(leaving, []);
  });

  it('name no document a clone does not have, in the docs or in the code', async () => {
    const texts = [...markdown];
    for (const path of await filesUnder(join(ROOT, 'examples'))) texts.push([relative(ROOT, path), await readFile(path, 'utf8')]);
    // Comments in the code too: a reader of the sources has only the repository.
    for (const folder of ['src', 'bench', 'test']) {
      for (const path of await filesUnder(join(ROOT, folder))) {
        if (path.endsWith('.ts') && path !== fileURLToPath(import.meta.url)) texts.push([relative(ROOT, path), await readFile(path, 'utf8')]);
      }
    }
    const naming = texts.filter(([, text]) => OUTSIDE_DOCUMENTS.test(text)).map(([path, text]) => `${path}: ${OUTSIDE_DOCUMENTS.exec(text)?.[0] ?? ''}`);
    assert.deepEqual(naming, []);
  });
});
