import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type RegistryConfig } from '../../src/config/index.js';

/** The configuration `text` gives, as if read from /etc/registry/backends.toml with no environment. */
export const parseText = (text: string): RegistryConfig => parseConfig(text, { configPath: '/etc/registry/backends.toml', env: {}, cwd: '/' });

/** The ConfigError `text` is refused with; fails the test when it is accepted. */
export function refusalOf(text: string): ConfigError {
  try {
    parseText(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('the file was accepted');
}

/** A temp folder for config files; `close()` removes it. */
export interface TempDir {
  readonly path: string;
  file(name: string): string;
  write(name: string, text: string): Promise<string>;
  /** An editor's save: write `name.tmp`, then rename it over `name`. */
  replace(name: string, text: string): Promise<string>;
  close(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'registry-config-'));
  const file = (name: string): string => join(path, name);
  return {
    path,
    file,
    async write(name, text) {
      await writeFile(file(name), text);
      return file(name);
    },
    async replace(name, text) {
      await writeFile(`${file(name)}.tmp`, text);
      await rename(`${file(name)}.tmp`, file(name));
      return file(name);
    },
    close: () => rm(path, { recursive: true, force: true }),
  };
}

/** Rejects if `promise` takes longer than `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects callback values in order; `next()` waits for the next one not yet taken. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  readonly seen: T[] = [];

  readonly push = (item: T): void => {
    this.seen.push(item);
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.items.push(item);
    else waiter(item);
  };

  next(ms: number, what: string): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return within(ms, new Promise<T>((resolve) => this.waiters.push(resolve)), what);
  }
}
