import { connect } from 'node:net';
import { RegistryError } from '../domain/index.js';
import { interrupted } from './ssh.js';

/** Opens a TCP connection and closes it: true when something accepted it within `timeoutMs`. */
export function tcpProbe(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      socket.destroy();
      resolve(ok);
    };
    const abort = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    signal.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits `ms`, or rejects as soon as the signal aborts. The timer is cleared either way. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(interrupted('waiting', signal, ms));
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}

export interface Attempt {
  readonly healthy: boolean;
  /** What the attempt saw, kept for the failure report. */
  readonly detail: string;
  readonly output?: string;
}

export interface RetryOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  readonly now: () => number;
}

/** Attempts until one is healthy or the time is up; a failure carries the last attempt's detail and output. */
export async function untilHealthy(attempt: (remainingMs: number) => Promise<Attempt>, options: RetryOptions): Promise<string> {
  const deadline = options.now() + options.timeoutMs;
  let tries = 0;
  let output: string | undefined;
  for (;;) {
    tries += 1;
    const last = await attempt(Math.max(1, deadline - options.now()));
    if (last.healthy) return `healthy after ${tries} attempt${tries === 1 ? '' : 's'}: ${last.detail}`;
    // An attempt cut short by the deadline has no output: keep the last one that had some.
    output = last.output !== undefined && last.output !== '' ? last.output : output;
    const remaining = deadline - options.now();
    if (remaining <= 0) {
      throw new RegistryError('deployment_failed', `unhealthy after ${tries} attempt${tries === 1 ? '' : 's'} in ${options.timeoutMs} ms: ${last.detail}`, {
        details: output === undefined ? {} : { output },
      });
    }
    await pause(Math.min(options.intervalMs, remaining), options.signal);
  }
}
