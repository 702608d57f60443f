/** A binary min-heap of due times: the scheduler keeps one timer for the earliest, whatever the number of checks. */
export interface Due {
  readonly at: number;
  readonly key: string;
  /** The entry's schedule token when pushed; a stale token means the entry was rescheduled or removed. */
  readonly token: number;
}

export class TimerQueue {
  readonly #heap: Due[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): Due | undefined {
    return this.#heap[0];
  }

  push(due: Due): void {
    const heap = this.#heap;
    heap.push(due);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = heap[parent];
      if (up === undefined || up.at <= due.at) break;
      heap[i] = up;
      i = parent;
    }
    heap[i] = due;
  }

  pop(): Due | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      let smallestAt = last.at;
      const l = heap[left];
      const r = heap[right];
      if (l !== undefined && l.at < smallestAt) {
        smallest = left;
        smallestAt = l.at;
      }
      if (r !== undefined && r.at < smallestAt) smallest = right;
      if (smallest === i) break;
      const child = heap[smallest];
      if (child === undefined) break;
      heap[i] = child;
      i = smallest;
    }
    heap[i] = last;
    return top;
  }

  clear(): void {
    this.#heap.length = 0;
  }
}
