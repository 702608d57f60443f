/**
 * Finds, cheaply and approximately, the line of a table or key in TOML text, so a
 * validation error can say where it is. It reads headers (`[t]`, `[[t]]`) and `key =`
 * lines and skips multi-line strings; it does not parse TOML.
 */

export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

interface Header {
  readonly index: number;
  readonly name: string;
  readonly array: boolean;
  readonly column: number;
}

interface KeyLine {
  readonly index: number;
  readonly key: string;
  readonly column: number;
}

interface Outline {
  readonly headers: readonly Header[];
  readonly keys: readonly KeyLine[];
}

const HEADER = /^(\s*)(\[\[?)\s*([^\][]+?)\s*\]\]?\s*(#.*)?$/;
const KEY = /^(\s*)((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=/;

const normalizeName = (raw: string): string =>
  raw
    .split('.')
    .map((part) => part.trim().replace(/^["']|["']$/g, ''))
    .join('.');

function outline(text: string): Outline {
  const headers: Header[] = [];
  const keys: KeyLine[] = [];
  let inMultiline: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (inMultiline !== undefined) {
      if (line.split(inMultiline).length % 2 === 0) inMultiline = undefined;
      return;
    }
    const header = HEADER.exec(line);
    if (header?.[2] !== undefined && header[3] !== undefined) {
      const array = header[2] === '[[';
      headers.push({ index, name: normalizeName(header[3]), array, column: (header[1]?.length ?? 0) + 1 });
      return;
    }
    const key = KEY.exec(line);
    if (key?.[2] !== undefined) keys.push({ index, key: normalizeName(key[2]), column: (key[1]?.length ?? 0) + 1 });
    for (const quote of ['"""', "'''"]) {
      if (line.split(quote).length % 2 === 0) inMultiline = quote;
    }
  });
  return { headers, keys };
}

const at = (index: number, column: number): TextPosition => ({ line: index + 1, column });

/** Keys between a header (or the start of the text) and the next header. */
function keysIn(doc: Outline, from: number): KeyLine[] {
  const next = doc.headers.find((h) => h.index > from)?.index ?? Number.POSITIVE_INFINITY;
  return doc.keys.filter((k) => k.index > from && k.index < next);
}

const findKey = (keys: readonly KeyLine[], name: string): KeyLine | undefined =>
  keys.find((k) => k.key === name || k.key.startsWith(`${name}.`));

/** The `[[parent.child]]` tables that belong to one `[[parent]]` (those before the next `[[parent]]`). */
function nestedTables(doc: Outline, parent: Header, name: string): Header[] {
  const next = doc.headers.find((h) => h.index > parent.index && h.array && h.name === parent.name)?.index ?? Number.POSITIVE_INFINITY;
  return doc.headers.filter((h) => h.array && h.name === name && h.index > parent.index && h.index < next);
}

/** `['backend', 0, 'check', 1, 'url']`: a key of a nested array of tables, or that table. */
function locateNested(doc: Outline, parent: Header, path: readonly PropertyKey[]): TextPosition | undefined {
  const [table, , child, index, key] = path;
  if (typeof table !== 'string' || typeof child !== 'string' || typeof index !== 'number') return undefined;
  const nested = nestedTables(doc, parent, `${table}.${child}`)[index];
  if (nested === undefined) return undefined;
  const line = typeof key === 'string' ? findKey(keysIn(doc, nested.index), key) : undefined;
  return line === undefined ? at(nested.index, nested.column) : at(line.index, line.column);
}

/**
 * The position of `path` (as a validation issue gives it: `['backend', 1, 'port']`, or
 * `['backend', 0, 'check', 1, 'url']` for `[[backend.check]]`) in the text, or of the nearest
 * enclosing table found, or undefined.
 */
export function locate(text: string, path: readonly PropertyKey[]): TextPosition | undefined {
  const [table, second, third] = path;
  if (typeof table !== 'string') return undefined;
  const doc = outline(text);
  const topKeys = keysIn(doc, -1);
  let header: Header | undefined;
  let rest: PropertyKey | undefined;
  if (typeof second === 'number') {
    header = doc.headers.filter((h) => h.array && h.name === table)[second];
    rest = third;
  } else {
    header = doc.headers.find((h) => h.name === table) ?? doc.headers.find((h) => h.name.startsWith(`${table}.`));
    rest = second;
  }
  const nested = header === undefined ? undefined : locateNested(doc, header, path);
  if (nested !== undefined) return nested;
  if (typeof rest === 'string') {
    const key = header === undefined ? findKey(topKeys, `${table}.${rest}`) : findKey(keysIn(doc, header.index), rest);
    if (key !== undefined) return at(key.index, key.column);
  }
  if (header !== undefined) return at(header.index, header.column);
  const top = findKey(topKeys, table);
  return top === undefined ? undefined : at(top.index, top.column);
}
