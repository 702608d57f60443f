/**
 * `registry top` in a real pseudo-terminal: tmux runs the CLI (its sources through tsx, as every test runs) against a real server, the
 * test reads the screen with capture-pane and types with send-keys. It shows the services by
 * health and follows changes live; q and Ctrl-C end it and give the terminal back (the normal
 * screen, the cursor, cooked mode).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { RegistryClient } from '../../src/client/index.js';
import { CLI_ARGS, runCaptured } from '../helpers/cli.js';
import { requirePeer } from '../helpers/peers.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const run = promisify(execFile);
const hasTmux = (): Promise<boolean> => run('tmux', ['-V']).then(
  () => true,
  () => false,
);

/** A tmux server of the test's own (its own socket), one session running `command`. */
class Tmux {
  private constructor(
    private readonly socket: string,
    readonly session: string,
  ) {}

  static async start(socket: string, command: string): Promise<Tmux> {
    const tmux = new Tmux(socket, 'top');
    await tmux.cmd('new-session', '-d', '-s', tmux.session, '-x', '120', '-y', '40', command);
    return tmux;
  }

  async cmd(...args: string[]): Promise<string> {
    return (await run('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' })).stdout;
  }

  screen(): Promise<string> {
    return this.cmd('capture-pane', '-p', '-t', this.session);
  }

  display(format: string): Promise<string> {
    return this.cmd('display-message', '-p', '-t', this.session, format).then((text) => text.trim());
  }

  /** Waits until the screen matches, reading it every 100 ms for at most `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.screen();
      if (pattern.test(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the screen never matched ${pattern}:\n${last}`);
  }

  close(): Promise<void> {
    return this.cmd('kill-server').then(
      () => undefined,
      () => undefined,
    );
  }
}

describe('registry top', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let dir: string;
  let caFile: string;

  before(async () => {
    srv = await startTestServer();
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    dir = await mkdtemp(join(tmpdir(), 'registry-top-'));
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, srv.caPem ?? '');
  });
  after(async () => {
    await client?.close();
    await srv?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * top in a tmux pane. Once it ends, the shell records its exit code and the terminal's modes and
   * stays (a dead pane would not tell whether the cursor is shown).
   */
  const startTop = (name: string): Promise<Tmux> => {
    const top = [process.execPath, ...CLI_ARGS, '--url', srv.url, '--ca', caFile, 'top', '--interval', '1'].map((arg) => `'${arg}'`).join(' ');
    const after = `echo $? > '${join(dir, `${name}-code.txt`)}.tmp'; stty -a > '${join(dir, `${name}-stty.txt`)}'; mv '${join(dir, `${name}-code.txt`)}.tmp' '${join(dir, `${name}-code.txt`)}'; sleep 600`;
    return Tmux.start(`registry-top-${process.pid}-${name}`, `${top}; ${after}`);
  };

  /** The exit code of top once it ended (read every 100 ms for at most 15 s). */
  const exitOf = async (name: string): Promise<number> => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const code = await readFile(join(dir, `${name}-code.txt`), 'utf8').catch(() => undefined);
      if (code !== undefined) return Number(code.trim());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`top did not exit`);
  };

  it('shows services by health and follows them live, then q gives the terminal back', async (t) => {
    if (!requirePeer(t, await hasTmux(), 'tmux is not installed (apt-get install tmux)')) return;
    await client.register({ name: 'steady', host: '10.0.0.1', port: 1, ttl: 3600 });
    const tmux = await startTop('q');
    try {
      await tmux.waitFor(/passing\s+steady\s+registered\s+yes\s+10\.0\.0\.1:1/);
      assert.equal(await tmux.display('#{alternate_on}'), '1', 'top draws on the alternate screen');
      // A registration whose TTL runs out turns critical, and sorts first.
      await client.register({ name: 'fading', host: '10.0.0.2', port: 2, ttl: 1 });
      const screen = await tmux.waitFor(/critical\s+fading\s+registered\s+no/);
      assert.ok(screen.indexOf('fading') < screen.indexOf('steady'), 'critical services come first');
      assert.match(screen, /services \d+: 1 critical, 0 warning, \d+ passing/);
      await tmux.waitFor(/events [1-9]\d*\.\d\/s|events 0\.[1-9]\/s/);
      await tmux.waitFor(/connections [1-9]\d* ws/);
      await tmux.waitFor(/commit latency avg \d/);
      await tmux.cmd('send-keys', '-t', tmux.session, 'q');
      assert.equal(await exitOf('q'), 0);
      assert.equal(await tmux.display('#{alternate_on}'), '0', 'the normal screen is back');
      assert.equal(await tmux.display('#{cursor_flag}'), '1', 'the cursor is shown again');
      const modes = await readFile(join(dir, 'q-stty.txt'), 'utf8');
      assert.match(modes, /(^|\s)icanon(\s|$)/, 'cooked mode is back');
      assert.match(modes, /(^|\s)echo(\s|$)/, 'echo is back');
    } finally {
      await tmux.close();
    }
  });

  it('ends on Ctrl-C the same way', async (t) => {
    if (!requirePeer(t, await hasTmux(), 'tmux is not installed (apt-get install tmux)')) return;
    const tmux = await startTop('ctrl-c');
    try {
      await tmux.waitFor(/registry top/);
      await tmux.cmd('send-keys', '-t', tmux.session, 'C-c');
      assert.equal(await exitOf('ctrl-c'), 0);
      assert.equal(await tmux.display('#{alternate_on}'), '0');
      assert.match(await readFile(join(dir, 'ctrl-c-stty.txt'), 'utf8'), /(^|\s)icanon(\s|$)/);
    } finally {
      await tmux.close();
    }
  });

  it('prints one screen and ends when its output is not a terminal, with registered strings escaped', async () => {
    await client.register({ name: 'odd', host: '10.0.0.3', port: 3, description: 'x' });
    const { code, stdout } = await runCaptured(['--url', srv.url, '--ca', caFile, 'top'], { env: {} });
    assert.equal(code, 0);
    assert.match(stdout, /^registry top /);
    assert.match(stdout, /HEALTH\s+NAME\s+STATE/);
    assert.match(stdout, /odd/);
    assert.doesNotMatch(stdout, /\x1b/);
  });
});
