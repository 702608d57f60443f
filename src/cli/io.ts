import type { ConfigEnv } from '../config/index.js';
import { terminalSafeLines } from './terminal-text.js';

/** Where a command writes and what it reads from its process; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: ConfigEnv;
  readonly cwd: string;
  /** Calls `handler` on each SIGINT or SIGTERM until the returned function is called. */
  onShutdownSignal(handler: (signal: string) => void): () => void;
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The real process: its streams, environment, folder and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onShutdownSignal(handler) {
      const listener = (signal: NodeJS.Signals): void => handler(signal);
      for (const signal of SHUTDOWN_SIGNALS) process.on(signal, listener);
      return () => {
        for (const signal of SHUTDOWN_SIGNALS) process.off(signal, listener);
      };
    },
  };
}

/** Writes one line (a newline is added); control characters in it are shown escaped, line breaks stay. */
export const println = (stream: CliIo['stdout'], text = ''): void => {
  stream.write(`${terminalSafeLines(text)}\n`);
};
