import { createLogger, type Logger } from '../../src/server/index.js';

/** A real pino logger whose JSON lines a test can read back. */
export interface LogCapture {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line matching `test`, or rejects after `timeoutMs`. */
  waitFor(test: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<{ test: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  const destination = {
    write(chunk: string): void {
      for (const text of chunk.split('\n')) {
        if (text.trim() === '') continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.test(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    },
  };
  return {
    logger: createLogger({ level: 'info', destination }),
    lines,
    waitFor: (test, timeoutMs = 5_000) => {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or rejects after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
