/**
 * Test-only: a gate the commit worker waits at before each COMMIT, so a test can hold a commit
 * in flight for as long as it likes and check what the main thread still answers meanwhile.
 * Cell 0 is the gate (0: closed, 1: open); cell 1 counts the commits that reached it.
 */
declare global {
  // ES2024 (Node 16+); the project's lib is older.
  interface Atomics {
    waitAsync(typedArray: Int32Array, index: number, value: number): { readonly async: boolean; readonly value: Promise<string> | string };
  }
}

const GATE = 0;
const ARRIVED = 1;

/** The worker's side: say it arrived, then block this thread until the gate opens. */
export function waitAtGate(buffer: SharedArrayBuffer): void {
  const cells = new Int32Array(buffer);
  Atomics.add(cells, ARRIVED, 1);
  Atomics.notify(cells, ARRIVED);
  while (Atomics.load(cells, GATE) === 0) Atomics.wait(cells, GATE, 0);
}

/** The test's side: a closed gate, a way to wait for a commit to reach it, and a way to open it. */
export class CommitGate {
  readonly buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  readonly #cells = new Int32Array(this.buffer);

  /** Starts open or shut (`shut()` and `open()` switch it). */
  constructor(options: { readonly open: boolean }) {
    if (options.open) this.open();
  }

  /** Resolves once `count` commits in all have reached the gate (and wait there while it is closed). */
  async reached(count = 1): Promise<void> {
    for (;;) {
      const arrived = Atomics.load(this.#cells, ARRIVED);
      if (arrived >= count) return;
      const waited = Atomics.waitAsync(this.#cells, ARRIVED, arrived);
      await waited.value;
    }
  }

  /** Holds every commit from now on; answers how many reached the gate so far (for `reached`). */
  shut(): number {
    Atomics.store(this.#cells, GATE, 0);
    return Atomics.load(this.#cells, ARRIVED);
  }

  /** Lets every commit through, now and from now on. */
  open(): void {
    Atomics.store(this.#cells, GATE, 1);
    Atomics.notify(this.#cells, GATE);
  }
}
