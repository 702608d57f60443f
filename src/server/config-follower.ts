import { type ConfigWatcher, type RegistryConfig, watchConfig } from '../config/index.js';
import type { Logger } from './log.js';

export interface ConfigFollowerOptions {
  readonly config: RegistryConfig;
  readonly reloadConfig: (() => Promise<RegistryConfig>) | undefined;
  readonly apply: (config: RegistryConfig) => Promise<{ readonly count: number }>;
  readonly logger: Logger;
  /** @default true when the configuration was read from a file */
  readonly watch: boolean | undefined;
}

/**
 * Keeps the registry in line with the configuration file: on every edit (the watcher) and on
 * demand (`reload`). A file that does not parse or validate changes nothing and is logged with
 * its line and reason; the last good configuration stays in force.
 */
export class ConfigFollower {
  private current: RegistryConfig;
  private readonly watcher: ConfigWatcher | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ConfigFollowerOptions) {
    this.current = options.config;
    const watch = options.watch ?? true;
    this.watcher = watch
      ? watchConfig(options.config, {
          onChange: (next) => void this.enqueue(() => this.applyNext(next, 'file changed')).catch(() => {}),
          onError: (error) => options.logger.error({ err: error }, `configuration rejected, the last good one stays in force: ${error.message}`),
        })
      : undefined;
  }

  /** Re-reads the file now; a broken file rejects with its ConfigError and changes nothing. */
  reload(): Promise<{ readonly count: number }> {
    return this.enqueue(async () => {
      const next = this.options.reloadConfig ? await this.options.reloadConfig() : this.current;
      return this.applyNext(next, 'reload requested');
    });
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    await this.queue.catch(() => {});
  }

  private async applyNext(next: RegistryConfig, why: string): Promise<{ readonly count: number }> {
    const result = await this.options.apply(next);
    this.current = next;
    this.options.logger.info({ backends: result.count, why }, 'configuration applied');
    return result;
  }

  /** One application at a time, in order. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }
}
