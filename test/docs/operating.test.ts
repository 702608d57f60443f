/**
 * The README's "Operating it" section and the example systemd unit against the source: the exit
 * codes `serve` documents are the CLI's, and the unit runs the real executable and does not
 * retry a configuration mistake.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXIT } from '../../src/cli/index.js';
import { requirePeer } from '../helpers/peers.js';

const root = new URL('../../', import.meta.url);
const unitPath = fileURLToPath(new URL('examples/systemd/registry.service', root));

/** `Key=value` lines of a unit file (the last one wins, as systemd reads them). */
async function unitSettings(): Promise<Map<string, string>> {
  const lines = (await readFile(unitPath, 'utf8')).split('\n').filter((line) => /^[A-Za-z]+=/.test(line));
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('README.md - Operating it', () => {
  it('documents exactly the exit codes serve can end with', async () => {
    const text = await readFile(new URL('README.md', root), 'utf8');
    const start = text.indexOf('### Exit codes of `serve`');
    assert.notEqual(start, -1);
    const table = text.slice(start).split('\n').slice(1).filter((line) => /^\| \d+ \|/.test(line));
    const codes = table.map((line) => Number(/^\| (\d+) \|/.exec(line)?.[1]));
    assert.deepEqual(codes, [EXIT.ok, EXIT.failure, EXIT.usage, EXIT.unavailable, EXIT.interrupted]);
  });
});

describe('examples/systemd/registry.service', () => {
  it('runs bin/registry.js serve with node, stops it with SIGTERM, and does not retry a configuration mistake', async () => {
    const unit = await unitSettings();
    const exec = unit.get('ExecStart') ?? '';
    assert.match(exec, /^\/usr\/bin\/node \S+\/bin\/registry\.js serve$/);
    await access(new URL('bin/registry.js', root));
    assert.equal(unit.get('KillSignal'), 'SIGTERM');
    assert.equal(unit.get('RestartPreventExitStatus'), String(EXIT.usage));
  });

  it('passes systemd-analyze verify', async (t) => {
    const found = await promisify(execFile)('systemd-analyze', ['--version']).then(
      () => true,
      () => false,
    );
    if (!requirePeer(t, found, 'systemd-analyze (Debian package systemd) is not installed')) return;
    const { stderr } = await promisify(execFile)('systemd-analyze', ['verify', unitPath]);
    assert.equal(stderr, '');
  });
});
