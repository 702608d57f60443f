/**
 * The server's logger: pino JSON lines, or pino-pretty text for a person at a terminal. Both load
 * when the first logger is made: the server door (`service-registry/server`) is also opened by
 * CLI commands that never log, and should not pay for them.
 */
import { createRequire } from 'node:module';
import type { DestinationStream, LevelWithSilent, Logger } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** Human-readable lines; the caller passes `process.stdout.isTTY`. @default false */
  readonly pretty?: boolean;
  /** Where JSON lines go (tests capture them here). @default stdout */
  readonly destination?: DestinationStream;
}

/** Fields that may carry secrets are written as `[redacted]`. */
const REDACT = ['token', '*.token', 'password', '*.password', 'authorization', '*.authorization', '*.*.authorization'];

// Both are CommonJS packages: require() loads them on demand, and synchronously, as createLogger must.
const load = createRequire(import.meta.url);

export function createLogger(options: LoggerOptions = {}): Logger {
  const { pino }: typeof import('pino') = load('pino');
  const settings = { level: options.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } };
  if (options.pretty === true) {
    const pretty: typeof import('pino-pretty') = load('pino-pretty');
    return pino(settings, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
