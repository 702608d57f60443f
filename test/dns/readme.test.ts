/**
 * README.md "DNS interface → Examples", run for real: the `registry call` operations are sent with the client
 * (the same action and params), and each `$ dig …` line is run against a server whose DNS port
 * replaces 8600. Its output must be the lines the README shows (ids aside).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import type { OperationName } from '../../src/operations/index.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const exec = promisify(execFile);

interface Example {
  readonly command: string;
  readonly output: string[];
}

/** The examples section: its `registry call` operations and its `$ dig …` lines with the output under each. */
async function examples(): Promise<{ frames: { action: string; params: unknown }[]; digs: Example[] }> {
  const text = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = text.indexOf('## DNS interface');
  const section = text.slice(text.indexOf('### Examples', start), text.indexOf('\n## ', start + 1));
  const frames = [...section.matchAll(/^npx registry call ([a-z_]+) '(.+)'$/gm)].map((m) => ({ action: m[1] ?? '', params: JSON.parse(m[2] ?? '{}') as unknown }));
  const consoleBlock = /```console\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const digs: Example[] = [];
  for (const line of consoleBlock.split('\n').filter((l) => l !== '')) {
    if (line.startsWith('$ ')) digs.push({ command: line.slice(2), output: [] });
    else digs.at(-1)?.output.push(line);
  }
  return { frames, digs };
}

/** Ids are random: compare without them. */
const withoutId = (line: string): string => line.replace(/, id: \d+$/, '');

describe('README DNS examples', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ configText: '[dns]\nenabled = true\nport = 0\ntxt_metadata = true\n', flags: { autoRegister: false } });
  });
  after(() => srv.close());

  it('prints what the README shows for every dig example', async () => {
    const { frames, digs } = await examples();
    assert.equal(frames.length, 2);
    assert.ok(digs.length >= 5, `${digs.length} examples`);
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      for (const frame of frames) await client.call(frame.action as OperationName, frame.params as never);
    } finally {
      await client.close();
    }
    for (const example of digs) {
      const command = example.command.replace('-p 8600', `-p ${srv.server.dnsPort ?? 0}`);
      assert.notEqual(command, example.command, `${example.command} names port 8600`);
      const { stdout } = await exec('sh', ['-c', command], { timeout: 20_000 });
      const printed = stdout.split('\n').filter((l) => l !== '');
      assert.deepEqual(printed.map(withoutId), example.output.map(withoutId), example.command);
    }
  });
});
