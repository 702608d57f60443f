/** Plain-text output for people: aligned tables, key/value blocks, times. */
import { Document, isScalar, visit } from 'yaml';
import { holdsControls, jsonTerminalSafe, terminalSafe } from './terminal-text.js';

export type Cell = string | number | boolean | undefined;

/** A cell as shown: control characters escaped, so a value is one cell on one line whatever it holds. */
const text = (cell: Cell): string => (cell === undefined ? '-' : terminalSafe(String(cell)));

/** Columns separated by two spaces and padded to their widest cell; no trailing spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [headers, ...rows.map((row) => headers.map((_, i) => text(row[i])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key:  value` lines, keys padded to the widest; undefined values are left out. */
export function formatFields(fields: readonly (readonly [string, Cell])[]): string {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([key]) => key.length + 1));
  return shown.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${text(value)}`).join('\n');
}

/** How long ago `then` was, coarsely: `now`, `42s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function formatAge(then: number | undefined, now: number): string | undefined {
  if (then === undefined) return undefined;
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** An instant as ISO 8601 in UTC, to the second. */
export const formatTime = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Pretty JSON with a final newline, safe on a terminal; Sets and Maps are not expected. */
export const formatJson = (value: unknown): string => `${jsonTerminalSafe(JSON.stringify(value, null, 2))}\n`;

/** One value as one JSON line (`watch --json`), safe on a terminal. */
export const formatJsonLine = (value: unknown): string => jsonTerminalSafe(JSON.stringify(value));

/**
 * YAML of a value, safe on a terminal: a string holding control characters is written
 * double-quoted, where YAML escapes C0 itself and `\u….` escapes the rest (DEL, C1, bidi).
 */
export function formatYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && holdsControls(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return jsonTerminalSafe(doc.toString({ lineWidth: 0 }));
}
