/**
 * The README's HTTP API examples, run as written: its set-up commands through the real CLI, then
 * each `curl` with the real curl against a real server and the CA the CLI printed, each answer
 * compared with the one the README shows (ids, times and dates aside).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runCaptured } from '../helpers/cli.js';
import { requirePeer } from '../helpers/peers.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const run = promisify(execFile);
const README = new URL('../../README.md', import.meta.url);
const SECTION = '### HTTP API (`/v1/`)';
const README_ORIGIN = 'https://127.0.0.1:4445';

interface Block {
  readonly lang: string;
  readonly text: string;
}

/** The fenced blocks of the section, in order. */
async function sectionBlocks(): Promise<Block[]> {
  const lines = (await readFile(README, 'utf8')).split('\n');
  const start = lines.findIndex((line) => line.trim() === SECTION);
  assert.notEqual(start, -1, `README.md has a "${SECTION}" section`);
  const end = lines.findIndex((line, i) => i > start && /^#{1,3} /.test(line));
  const blocks: Block[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of lines.slice(start + 1, end)) {
    const fence = /^```(\w*)$/.exec(line);
    if (fence !== null && open === undefined) open = { lang: fence[1] ?? '', lines: [] };
    else if (fence !== null && open !== undefined) {
      blocks.push({ lang: open.lang, text: open.lines.join('\n') });
      open = undefined;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** What differs from run to run: ids, Unix times, subscription ids and the Date header. */
const normalised = (text: string): string =>
  text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b1\d{9}\b/g, '<time>')
    .replace(/"subscription":"[0-9a-f]{16}"/g, '"subscription":"<id>"')
    .replace(/^Date: .*$/gm, 'Date: <date>')
    .replace(/\r\n/g, '\n')
    .trimEnd();

const hasCurl = (): Promise<boolean> => run('curl', ['--version']).then(
  () => true,
  () => false,
);

describe('README.md HTTP API examples', () => {
  let srv: TestServer;
  let dir: string;

  before(async () => {
    srv = await startTestServer({ configText: '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.100.0.0/24"\n' });
    dir = await mkdtemp(join(tmpdir(), 'registry-readme-'));
  });
  after(async () => {
    await srv?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every curl example as the README shows it', async (t) => {
    if (!requirePeer(t, await hasCurl(), 'curl is not installed (apt-get install curl)')) return;
    const blocks = await sectionBlocks();
    const setup = blocks.find((block) => block.lang === 'sh' && !block.text.includes('curl '));
    assert.ok(setup, 'the section shows its set-up commands');
    // The CLI finds the server's CA in its data folder, as it would on the server's host.
    const global = ['--url', srv.url, '--data-dir', srv.dataDir];
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const line of setup.text.split('\n')) {
      const parsed = /^(?:(\w+)=\$\()?npx registry (.+?)\)?(?: > (\S+))?$/.exec(line.trim());
      assert.ok(parsed, `a set-up line the test can run: ${line}`);
      const [, variable, args = '', file] = parsed;
      const result = await runCaptured([...global, ...args.split(' ')], { env: {} });
      assert.equal(result.code, 0, `${line}: ${result.stderr}`);
      if (variable !== undefined) env[variable] = result.stdout.trim();
      if (file !== undefined) await writeFile(join(dir, file), result.stdout);
    }
    let checked = 0;
    for (const [i, block] of blocks.entries()) {
      if (block.lang !== 'sh' || !block.text.startsWith('curl ')) continue;
      const shown = blocks[i + 1];
      assert.equal(shown?.lang, 'text', `the answer of ${block.text} follows it`);
      const streams = / -N /.test(block.text);
      const command = block.text.replaceAll(README_ORIGIN, `https://127.0.0.1:${srv.server.port}`).replace(/^curl /, streams ? 'curl --max-time 2 ' : 'curl ');
      const output = await run('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8' }).then(
        (done) => done.stdout,
        (failed: { stdout?: string; code?: number }) => {
          // A stream runs until curl's --max-time ends it (exit 28); anything else is a failure.
          assert.ok(streams && failed.code === 28, `${block.text} failed: ${JSON.stringify(failed)}`);
          return failed.stdout ?? '';
        },
      );
      const expected = normalised(shown?.text ?? '');
      if (streams) assert.ok(normalised(output).startsWith(expected), `${block.text}\n--- got ---\n${output}\n--- README ---\n${shown?.text}`);
      else assert.equal(normalised(output), expected, block.text);
      checked++;
    }
    assert.ok(checked >= 6, `the README shows ${checked} curl examples`);
  });
});
