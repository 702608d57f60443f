/** The server's logger: pino JSON lines, or pino-pretty text for a person at a terminal. */
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

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

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = { level: options.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } };
  if (options.pretty === true) {
    return pino(settings, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
