/** ConfigFollower: the file watcher and explicit reloads keep one configuration in force between them. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type RegistryConfig } from '../../src/config/index.js';
import { ConfigFollower } from '../../src/server/internal.js';
import { captureLogs, eventually } from '../helpers/log-capture.js';

const backendFile = (name: string) => `[[backend]]\nname = "${name}"\nhost = "10.0.0.1"\nport = 4444\nprotocol = "ws"\n`;

describe('ConfigFollower', () => {
  it('applies an edit back to the text the watcher saw last when an explicit reload applied another in between', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-follower-'));
    const path = join(dir, 'backends.toml');
    await writeFile(path, backendFile('first'));
    const load = () => loadConfig({ flags: { configPath: path }, env: {}, cwd: dir });
    const applied: string[] = [];
    const apply = (config: RegistryConfig) => {
      applied.push(config.backends.map((b) => b.name).join(','));
      return Promise.resolve({ count: config.backends.length });
    };
    // A long quiet time: the watcher reads the file once, after both edits below.
    const follower = new ConfigFollower({ config: await load(), reloadConfig: load, apply, logger: captureLogs().logger, watch: true, debounceMs: 3_000 });
    try {
      await follower.ready;
      await writeFile(path, backendFile('second'));
      await follower.reload();
      assert.deepEqual(applied, ['second']);
      await writeFile(path, backendFile('first'));
      await eventually(() => Promise.resolve(applied.at(-1) === 'first' ? true : undefined), 15_000, 'the edit back to the first file applied');
    } finally {
      await follower.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
