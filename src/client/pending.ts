import { RequestTimeoutError } from './errors.js';

interface Waiter {
  readonly operation: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests sent and not yet answered, by id. Each has its own timer; every way out of the
 * table (answer, failure, timeout, `rejectAll`) clears it, so nothing outlives the connection.
 */
export class PendingRequests {
  private readonly waiters = new Map<string, Waiter>();
  private nextId = 0;

  get size(): number {
    return this.waiters.size;
  }

  /** A fresh id and a promise settled by `resolve`/`reject` with that id, or by the timeout. */
  add(operation: string, timeoutMs: number): { readonly id: string; readonly answer: Promise<unknown> } {
    this.nextId += 1;
    const id = `r${this.nextId}`;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new RequestTimeoutError(operation, timeoutMs));
      }, timeoutMs);
      this.waiters.set(id, { operation, resolve, reject, timer });
    });
    return { id, answer };
  }

  /** False when no request has that id (answered already, timed out, or not ours). */
  resolve(id: string, result: unknown): boolean {
    const waiter = this.take(id);
    waiter?.resolve(result);
    return waiter !== undefined;
  }

  reject(id: string, error: Error): boolean {
    const waiter = this.take(id);
    waiter?.reject(error);
    return waiter !== undefined;
  }

  /** Fails every request still waiting, each with its own error. */
  rejectAll(errorFor: (operation: string) => Error): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(errorFor(waiter.operation));
    }
  }

  private take(id: string): Waiter | undefined {
    const waiter = this.waiters.get(id);
    if (waiter === undefined) return undefined;
    this.waiters.delete(id);
    clearTimeout(waiter.timer);
    return waiter;
  }
}
