/** Items that arrive on their own (frames, events), taken one at a time by a reader that may wait for the next, within a time limit. */
export class WaitingQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];

  constructor(private readonly what: string) {}

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  /** The next item; rejects with `no <what> within N ms` after `timeoutMs`. */
  next(timeoutMs: number): Promise<T> {
    const ready = this.items.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(wrapped), 1);
        reject(new Error(`no ${this.what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const wrapped = (item: T): void => {
        clearTimeout(timer);
        resolve(item);
      };
      this.waiters.push(wrapped);
    });
  }
}
