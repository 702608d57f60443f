import type { ConfigEnv } from '../config/index.js';
import { terminalSafeLines } from './terminal-text.js';

/** A terminal's keyboard, as a full-screen command (`top`) reads it. */
export interface TerminalInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Where a command writes and what it reads from its process; tests pass their own. */
export interface CliIo {
  readonly stdout: {
    write(text: string): unknown;
    readonly isTTY?: boolean;
    /** The terminal's size, when stdout is one. */
    readonly columns?: number;
    readonly rows?: number;
    on?(event: 'resize', listener: () => void): unknown;
    off?(event: 'resize', listener: () => void): unknown;
  };
  /** Absent: the command reads no keys. */
  readonly stdin?: TerminalInput;
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
    stdin: process.stdin,
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
