import { existsSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { ConfigError } from './error.js';
import { absolutePath } from './layers.js';
import {
  buildConfig,
  type ConfigInputs,
  configSource,
  type LoadConfigOptions,
  readConfigText,
  resolveInputs,
} from './load.js';
import { DEFAULT_RELOAD_DEBOUNCE_MS, type RegistryConfig } from './types.js';

/** The part of a pino logger the watcher uses. */
export interface ConfigLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

export interface WatchConfigOptions extends Omit<LoadConfigOptions, 'configPath'> {
  /** A new configuration loaded; it replaces the previous one. */
  onChange(config: RegistryConfig): void;
  /** The file does not read, parse or validate; the last good configuration stays in force. */
  onError(error: ConfigError): void;
  logger?: ConfigLogger;
  /**
   * Quiet time after the last file event before the file is read.
   * @default DEFAULT_RELOAD_DEBOUNCE_MS (100)
   */
  debounceMs?: number;
}

export interface ConfigWatcher extends AsyncDisposable {
  /** Absolute path of the watched file. */
  readonly path: string;
  /** Resolves once the file is watched: edits from then on are seen. */
  readonly ready: Promise<void>;
  /** The last configuration that loaded (the one passed in, until the file changes). */
  readonly current: RegistryConfig | undefined;
  /**
   * A configuration was applied by another path (an explicit reload): the next edit is applied
   * even when its text is the one this watcher saw last, since that may no longer be in force.
   */
  appliedElsewhere(): void;
  /** Stops watching; no callback runs once it resolves. Idempotent. */
  close(): Promise<void>;
  /** Resolves (never rejects) when the watcher has closed, with the reason if it was not `close()`. */
  readonly closed: Promise<void | Error>;
}

interface Start {
  readonly inputs: ConfigInputs;
  readonly current: RegistryConfig | undefined;
  readonly text: string | undefined;
}

/** With a configuration, reloads reuse the flags and environment it was loaded with, unless options give others. */
function start(target: string | RegistryConfig, options: WatchConfigOptions): Start {
  const given = options.flags !== undefined || options.env !== undefined || options.cwd !== undefined;
  if (typeof target === 'string') {
    const inputs = resolveInputs(options);
    const path = absolutePath(target, inputs.cwd);
    return { inputs: { ...inputs, path, explicit: true }, current: undefined, text: undefined };
  }
  const source = configSource(target);
  const inputs = source === undefined || given ? resolveInputs(options) : source.inputs;
  return { inputs: { ...inputs, path: target.configPath, explicit: true }, current: target, text: source?.text };
}

const asConfigError = (path: string, error: unknown): ConfigError =>
  error instanceof ConfigError
    ? error
    : new ConfigError(path, [{ source: 'file', message: `reload failed: ${String(error)}` }], { cause: error });

/**
 * Watches the file itself while its folder exists. Otherwise (a default file whose folder is
 * yet to be made) it watches the nearest existing folder above, only down the path to the file,
 * so creating the folder and then the file is seen.
 */
function watchFile(path: string): FSWatcher {
  const options = { ignoreInitial: true, persistent: true };
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  if (folder === dirname(path)) return watch(path, options);
  const depth = relative(folder, dirname(path)).split(sep).length;
  const onTheWay = (p: string): boolean => p === folder || p === path || path.startsWith(`${p}${sep}`);
  return watch(folder, { ...options, depth, ignored: (p: string) => !onTheWay(p) });
}

/** One watched file: debounced events, one reload at a time, callbacks never after close. */
class FileConfigWatcher implements ConfigWatcher {
  readonly path: string;
  readonly ready: Promise<void>;
  readonly closed: Promise<void | Error>;
  private readonly inputs: ConfigInputs;
  private readonly watcher: FSWatcher;
  private readonly settle: (reason: void | Error) => void;
  private latest: RegistryConfig | undefined;
  private lastText: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;
  private closing: Promise<void> | undefined;

  constructor(
    start: Start,
    private readonly options: WatchConfigOptions,
  ) {
    this.inputs = start.inputs;
    this.path = start.inputs.path;
    this.latest = start.current;
    this.lastText = start.text;
    let settle: (reason: void | Error) => void = () => undefined;
    this.closed = new Promise<void | Error>((resolve) => {
      settle = resolve;
    });
    this.settle = settle;
    const schedule = (file: string): void => {
      if (file === this.path) this.schedule();
    };
    this.watcher = watchFile(this.path);
    this.watcher.on('add', schedule).on('change', schedule).on('unlink', schedule);
    this.watcher.on('error', (error: unknown) => {
      const message = `watching failed: ${String(error)}`;
      if (!this.stopping) this.report(new ConfigError(this.path, [{ source: 'file', message }], { cause: error }));
    });
    this.ready = new Promise<void>((resolve) => {
      this.watcher.once('ready', () => resolve());
      void this.closed.then(() => resolve());
    });
  }

  get current(): RegistryConfig | undefined {
    return this.latest;
  }

  appliedElsewhere(): void {
    this.lastText = undefined;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.watcher.close();
      await this.chain;
      this.settle(undefined);
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private schedule(): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.reload());
    }, this.options.debounceMs ?? DEFAULT_RELOAD_DEBOUNCE_MS);
  }

  private async reload(): Promise<void> {
    if (this.stopping) return;
    let next: RegistryConfig;
    try {
      const text = await readConfigText(this.inputs).catch((error: unknown) => {
        this.lastText = undefined;
        throw error;
      });
      if (text === this.lastText && this.latest !== undefined) return;
      this.lastText = text;
      next = buildConfig(text, this.inputs);
    } catch (error) {
      if (!this.stopping) this.report(asConfigError(this.path, error));
      return;
    }
    if (this.stopping) return;
    this.latest = next;
    this.options.logger?.info({ path: this.path, backends: next.backends.length }, 'configuration reloaded');
    this.guard('onChange', () => this.options.onChange(next));
  }

  private report(error: ConfigError): void {
    const details = { path: this.path, line: error.line, reason: error.reason };
    this.options.logger?.warn(details, 'configuration rejected; the last good one stays');
    this.guard('onError', () => this.options.onError(error));
  }

  /** A throwing callback is logged; it does not stop the watcher. */
  private guard(name: string, callback: () => void): void {
    try {
      callback();
    } catch (thrown) {
      this.options.logger?.warn({ path: this.path, error: String(thrown) }, `configuration ${name} handler threw`);
    }
  }
}

/**
 * Watches the configuration file (an editor's write-then-rename included) and, ~100 ms after
 * the last edit, reloads it with the same flags › env › file precedence. A good file calls
 * `onChange`; a bad one calls `onError` with the line and reason, and nothing changes.
 * A file that disappears is an error too: the last good configuration stays.
 *
 * Given a configuration from `loadConfig`, it watches that file and reuses the flags,
 * environment and folder it was loaded with (unless `options` give others); given a path,
 * it uses `options.flags`, `options.env` (default `process.env`) and `options.cwd`.
 */
export function watchConfig(target: string | RegistryConfig, options: WatchConfigOptions): ConfigWatcher {
  return new FileConfigWatcher(start(target, options), options);
}
