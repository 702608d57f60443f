import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ConfigError, type ConfigWatcher, loadConfig, type RegistryConfig, watchConfig } from '../../src/config/index.js';
import { Inbox, type TempDir, tempDir, within } from './support.js';

const backend = (name: string, port = 4444): string => `[[backend]]\nname = "${name}"\nhost = "127.0.0.1"\nport = ${port}\n`;
const names = (config: RegistryConfig): string[] => config.backends.map((b) => b.name);

/** Generous against a slow machine; the design asks for well under a second. */
const LIMIT_MS = 2000;

interface Watched {
  readonly watcher: ConfigWatcher;
  readonly changes: Inbox<RegistryConfig>;
  readonly errors: Inbox<ConfigError>;
}

async function follow(dir: TempDir, file: string, initial: string, env = {}): Promise<Watched> {
  const path = await dir.write(file, initial);
  const config = await loadConfig({ configPath: path, env });
  const changes = new Inbox<RegistryConfig>();
  const errors = new Inbox<ConfigError>();
  const watcher = watchConfig(config, { onChange: changes.push, onError: errors.push });
  await within(LIMIT_MS, watcher.ready, 'the watcher to be ready');
  return { watcher, changes, errors };
}

describe('watchConfig', () => {
  let dir: TempDir;
  const open: ConfigWatcher[] = [];
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await Promise.all(open.map((w) => w.close()));
    await dir.close();
  });

  it('applies an editor write-then-rename save', async () => {
    const w = await follow(dir, 'rename.toml', backend('hub1'));
    open.push(w.watcher);
    await dir.replace('rename.toml', backend('hub1') + backend('hub2', 4446));
    const next = await w.changes.next(LIMIT_MS, 'onChange after the rename');
    assert.deepEqual(names(next), ['hub1', 'hub2']);
    assert.equal(w.watcher.current, next);
    assert.equal(w.errors.seen.length, 0);
  });

  it('applies a second save after a rename replaced the file', async () => {
    const w = await follow(dir, 'twice.toml', backend('a'));
    open.push(w.watcher);
    await dir.replace('twice.toml', backend('b'));
    assert.deepEqual(names(await w.changes.next(LIMIT_MS, 'first change')), ['b']);
    await dir.replace('twice.toml', backend('c'));
    assert.deepEqual(names(await w.changes.next(LIMIT_MS, 'second change')), ['c']);
  });

  it('reports a broken edit with its line, keeps the last good config, and applies the fix', async () => {
    const w = await follow(dir, 'broken.toml', backend('good'));
    open.push(w.watcher);
    const good = w.watcher.current;

    await dir.replace('broken.toml', `${backend('good')}\n[[backend]]\nname = "bad"\nhost = "h"\nport = 99999\n`);
    const error = await w.errors.next(LIMIT_MS, 'onError for the broken edit');
    assert.equal(error.code, 'config_invalid');
    assert.equal(error.line, 9);
    assert.match(error.reason, /backend\[1\]\.port: must be ≤ 65535/);
    assert.equal(w.changes.seen.length, 0, 'a broken file calls no onChange');
    assert.equal(w.watcher.current, good, 'the last good config stays');

    await dir.replace('broken.toml', backend('good') + backend('fixed', 4447));
    const fixed = await w.changes.next(LIMIT_MS, 'onChange after the fix');
    assert.deepEqual(names(fixed), ['good', 'fixed']);
  });

  it('reports a syntax error with line and column', async () => {
    const w = await follow(dir, 'syntax.toml', backend('one'));
    open.push(w.watcher);
    await dir.write('syntax.toml', '[[backend]\nname = "x"\n');
    const error = await w.errors.next(LIMIT_MS, 'onError for the syntax error');
    assert.equal(error.line, 1);
    assert.equal(typeof error.column, 'number');
  });

  it('re-applies the environment it was loaded with', async () => {
    const w = await follow(dir, 'env.toml', '[server]\nport = 5000\n', { REGISTRY_PORT: '6000' });
    open.push(w.watcher);
    assert.equal(w.watcher.current?.server.port, 6000);
    await dir.replace('env.toml', `[server]\nport = 5001\n${backend('x')}`);
    const next = await w.changes.next(LIMIT_MS, 'onChange');
    assert.equal(next.server.port, 6000, 'REGISTRY_PORT still beats the file');
    assert.deepEqual(names(next), ['x']);
  });

  it('applies a default file created after the start', async () => {
    const home = await tempDir();
    try {
      const env = { XDG_CONFIG_HOME: home.path, HOME: home.path };
      const config = await loadConfig({ env });
      assert.equal(config.configFound, false);
      const changes = new Inbox<RegistryConfig>();
      await using watcher = watchConfig(config, { onChange: changes.push, onError: () => undefined });
      await within(LIMIT_MS, watcher.ready, 'ready');
      await mkdir(join(home.path, 'plexus'));
      await writeFile(config.configPath, backend('late'));
      const next = await changes.next(LIMIT_MS, 'onChange for the new file');
      assert.deepEqual(names(next), ['late']);
      assert.equal(next.configFound, true);
    } finally {
      await home.close();
    }
  });

  it('reports a removed file and keeps the last good config', async () => {
    const w = await follow(dir, 'removed.toml', backend('kept'));
    open.push(w.watcher);
    await rm(dir.file('removed.toml'));
    const error = await w.errors.next(LIMIT_MS, 'onError for the removal');
    assert.match(error.reason, /file not found/);
    assert.deepEqual(w.watcher.current && names(w.watcher.current), ['kept']);
  });

  it('stops calling back once closed, and close is idempotent', async () => {
    const path = await dir.write('closing.toml', backend('before'));
    const closedCalls: string[] = [];
    const closing = watchConfig(path, {
      env: {},
      debounceMs: 10,
      onChange: () => closedCalls.push('change'),
      onError: () => closedCalls.push('error'),
    });
    await within(LIMIT_MS, closing.ready, 'ready');
    const first = closing.close();
    const second = closing.close();
    await Promise.all([first, second]);
    assert.equal(await within(LIMIT_MS, closing.closed, 'closed'), undefined);
    await closing[Symbol.asyncDispose]();

    // A witness with a longer debounce: had the closed watcher still been watching, it would have called back first.
    const witness = new Inbox<RegistryConfig>();
    const live = watchConfig(path, { env: {}, debounceMs: 200, onChange: witness.push, onError: () => undefined });
    open.push(live);
    await within(LIMIT_MS, live.ready, 'witness ready');
    await dir.replace('closing.toml', backend('after'));
    assert.deepEqual(names(await witness.next(LIMIT_MS, 'the witness to see the edit')), ['after']);
    assert.deepEqual(closedCalls, []);
  });
});
