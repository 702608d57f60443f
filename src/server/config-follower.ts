import { ConfigError, type ConfigWatcher, keysNeedingRestart, type RegistryConfig, watchConfig } from '../config/index.js';
import type { Logger } from './log.js';

export interface ConfigFollowerOptions {
  readonly config: RegistryConfig;
  readonly reloadConfig: (() => Promise<RegistryConfig>) | undefined;
  readonly apply: (config: RegistryConfig) => Promise<{ readonly count: number }>;
  readonly logger: Logger;
  /** @default true when the configuration was read from a file */
  readonly watch: boolean | undefined;
  /** Quiet time after the last edit before the file is read. @default DEFAULT_RELOAD_DEBOUNCE_MS */
  readonly debounceMs?: number;
}

/**
 * Keeps the registry in line with the configuration file: on every edit (the watcher) and on
 * demand (`reload`). A file that does not parse or validate, or that disappeared, changes nothing
 * and is logged on one line with its place and reason; the last good configuration stays in force.
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
          onError: (error) => this.logRejected(error),
          ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        })
      : undefined;
  }

  /** Resolves once edits of the file are seen (at once when nothing is watched). */
  get ready(): Promise<void> {
    return this.watcher?.ready ?? Promise.resolve();
  }

  /** Re-reads the file now; a broken or missing file rejects with its ConfigError and changes nothing. */
  reload(): Promise<{ readonly count: number }> {
    return this.enqueue(async () => {
      let next: RegistryConfig;
      try {
        next = this.options.reloadConfig ? await this.options.reloadConfig() : this.current;
        // A default file that is absent reads as an empty one; one that was there and went is a mistake.
        if (this.current.configFound && !next.configFound) {
          throw new ConfigError(next.configPath, [{ source: 'file', message: 'file not found: it was deleted or moved' }]);
        }
      } catch (error) {
        if (error instanceof ConfigError) this.logRejected(error);
        throw error;
      }
      const applied = await this.applyNext(next, 'reload requested');
      // The watcher's last text may be what this reload just replaced: an edit back to it must apply.
      this.watcher?.appliedElsewhere();
      return applied;
    });
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    await this.queue.catch(() => {});
  }

  private logRejected(error: ConfigError): void {
    const { file, line, column, reason } = error;
    this.options.logger.error({ file, line, column, reason }, `configuration rejected, the last good one stays in force: ${error.brief}`);
  }

  private async applyNext(next: RegistryConfig, why: string): Promise<{ readonly count: number }> {
    const result = await this.options.apply(next);
    // Against what the server started with: a change still waiting for a restart is named on every reload.
    const restart = keysNeedingRestart(this.options.config, next);
    if (restart.length > 0) {
      this.options.logger.warn({ keys: restart }, `these settings differ from the ones in force and take effect only at the next start: ${restart.join(', ')}`);
    }
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
