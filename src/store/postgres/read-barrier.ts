/**
 * Shares one round trip among the reads that arrive together. A read joins the next round that
 * has not started yet; a round starts once the previous one ended, and no sooner than
 * `minIntervalMs` after the previous one started, so each round's query is sent after every read
 * it answers arrived, at most one is in flight, and a busy server sends about one query per
 * `minIntervalMs` (one per round trip when that is longer), not one per read. A read that finds
 * the server idle starts a round at once.
 */
export class SharedRound {
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly minIntervalMs = 0,
  ) {}

  join(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    const previous = this.#running ?? Promise.resolve();
    const next = previous.then(
      () => this.#paced(),
      () => this.#paced(),
    );
    this.#next = next;
    return next;
  }

  /** Waits out what is left of the interval since the last round started, then starts the next. */
  #paced(): Promise<void> {
    const wait = this.#lastStart + this.minIntervalMs - performance.now();
    if (wait <= 0) return this.#start();
    return new Promise<void>((resolve) => setTimeout(resolve, wait).unref()).then(() => this.#start());
  }

  #start(): Promise<void> {
    // Reads that arrive from now on wait for the round after this one.
    this.#next = undefined;
    this.#lastStart = performance.now();
    const running = this.round();
    this.#running = running;
    const clear = (): void => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(clear, clear);
    return running;
  }
}
