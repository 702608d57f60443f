/**
 * Running the `registry` command line in tests: in this process with captured output
 * (`runCaptured`), or as the real executable's entry point in a child process (`spawnCli`): the
 * sources through tsx, as every test runs (no build step; test/e2e/package.test.ts runs the build).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type CliIo, runCli } from '../../src/cli/index.js';
import type { ConfigEnv } from '../../src/config/index.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const mainPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The node arguments that run the `registry` executable from the sources: `node ...CLI_ARGS <command>`. */
export const CLI_ARGS: readonly string[] = ['--import', import.meta.resolve('tsx'), mainPath];

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CaptureOptions {
  /** The whole environment the command sees; nothing of the test process leaks in. */
  readonly env: ConfigEnv;
  /** @default the project root */
  readonly cwd?: string;
}

/** Runs one command line in this process; SIGINT/SIGTERM handlers are not installed. */
export async function runCaptured(argv: readonly string[], options: CaptureOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env,
    cwd: options.cwd ?? projectRoot,
    onShutdownSignal: () => () => undefined,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

export interface SpawnedCli {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a line matching `pattern` (with that line), or rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the process has exited; never rejects. */
  readonly exited: Promise<CliResult & { readonly signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running, then waits for the exit. */
  close(): Promise<void>;
}

/** Who runs a spawned command: another user (root only), for faults such as a privileged port. */
export interface SpawnAs {
  readonly uid?: number;
  readonly gid?: number;
}

/** Starts the `registry` executable with `argv` and exactly the environment `env` (plus PATH). */
export function spawnCli(argv: readonly string[], env: ConfigEnv, cwd = projectRoot, as: SpawnAs = {}): SpawnedCli {
  return watchChild(spawn(process.execPath, [...CLI_ARGS, ...argv], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...as }));
}

/** Follows a child's output and exit (`npm start`, the `registry` executable). */
export function watchChild(child: ChildProcess): SpawnedCli {
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<CliResult & { readonly signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout: out, stderr: err })),
  );
  const waitForLine = (pattern: RegExp, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = out.split('\n').find((l) => pattern.test(l));
        if (line === undefined) return;
        finish();
        resolve(line);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      watchers.add(check);
      void exited.then(() => {
        if (!watchers.has(check)) return;
        finish();
        reject(new Error(`the process exited before a line matched ${pattern}; stdout: ${out}; stderr: ${err}`));
      });
      check();
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLine,
    exited,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether a process with this PID exists (signal 0 probes without sending anything). */
export const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
