import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { type ErrorCode, errorCodes, isErrorCode, RegistryError } from '../../src/domain/index.js';
import { type Call, httpStatuses, hubDialect, jsonRpcCodes } from '../../src/protocol/index.js';

/** The `## Codes` table of docs/errors.md: one row per code, the code backticked in the first column. */
const DOC = new URL('../../docs/errors.md', import.meta.url);
const SECTION = '## Codes';
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

interface Row {
  readonly code: string;
  readonly retry: string;
  readonly jsonRpc: string;
  readonly hub: string;
  readonly exit: string;
  readonly http: string;
}

/** The lines between `## Codes` and the next `## ` heading. */
function sectionLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === SECTION);
  assert.notEqual(start, -1, `docs/errors.md has a "${SECTION}" section`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('## '));
  return end === -1 ? rest : rest.slice(0, end);
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());

/** Table rows whose first cell is one backticked snake_case code; the header and the rule are skipped. */
function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of sectionLines(text)) {
    if (!line.trim().startsWith('|')) continue;
    const cells = cellsOf(line);
    const code = /^`([a-z][a-z0-9_]*)`$/.exec(cells[0] ?? '')?.[1];
    if (code === undefined) continue;
    const [, , retry = '', jsonRpc = '', hub = '', exit = '', http = ''] = cells;
    rows.push({ code, retry, jsonRpc: jsonRpc.replace(/`/g, ''), hub, exit, http });
  }
  return rows;
}

const documented = async (): Promise<Row[]> => parseRows(await readFile(DOC, 'utf8'));

/** Where the hub dialect puts an error: a stream `error` item, or `error` content in a `data` item. */
function hubPlacement(code: ErrorCode): string {
  const call: Call = { dialect: 'hub', id: 1, method: 'registry.update', op: 'update', input: {}, silent: false };
  const frames = hubDialect.encode(call, { ok: false, error: new RegistryError(code) }, NOW);
  const item = (frames[1]?.params as { result?: { type?: string; content?: { type?: string } } } | undefined)?.result;
  if (item?.type === 'error') return 'stream';
  if (item?.type === 'data' && item.content?.type === 'error') return 'content';
  return `unexpected item ${JSON.stringify(item)}`;
}

describe('docs/errors.md', () => {
  it('lists every error code of src/domain/errors.ts', async () => {
    const listed = new Set((await documented()).map((row) => row.code));
    const missing = Object.keys(errorCodes).filter((code) => !listed.has(code));
    assert.deepEqual(missing, [], `codes missing from docs/errors.md: ${missing.join(', ')}`);
  });

  it('lists no code that no longer exists', async () => {
    const stale = (await documented()).map((row) => row.code).filter((code) => !isErrorCode(code));
    assert.deepEqual(stale, [], `codes in docs/errors.md that src/domain/errors.ts does not define: ${stale.join(', ')}`);
  });

  it('lists each code once', async () => {
    const codes = (await documented()).map((row) => row.code);
    const twice = codes.filter((code, index) => codes.indexOf(code) !== index);
    assert.deepEqual(twice, []);
  });

  it('states the retry flag, JSON-RPC number, hub placement, CLI exit code and HTTP status the source uses', async () => {
    for (const row of await documented()) {
      if (!isErrorCode(row.code)) continue;
      const code = row.code;
      assert.equal(row.retry, errorCodes[code].retry ? 'yes' : 'no', `${code}: retry`);
      assert.equal(row.jsonRpc, String(jsonRpcCodes[code]), `${code}: JSON-RPC number`);
      assert.equal(row.hub, hubPlacement(code), `${code}: hub placement`);
      assert.equal(row.exit, String(exitCodeFor(new RegistryError(code))), `${code}: CLI exit code`);
      assert.equal(row.http, String(httpStatuses[code]), `${code}: HTTP status`);
    }
  });
});
