/**
 * Shares one round trip among the reads that arrive together. A read joins the next round that
 * has not started yet; a round starts once the previous one ended, so each round's query is sent
 * after every read it answers arrived, and there is at most one in flight (under load, about one
 * query per round-trip time, rather than one per read).
 */
export class SharedRound {
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(private readonly round: () => Promise<void>) {}

  join(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    const previous = this.#running ?? Promise.resolve();
    const next = previous.then(
      () => this.#start(),
      () => this.#start(),
    );
    this.#next = next;
    return next;
  }

  #start(): Promise<void> {
    // Reads that arrive from now on wait for the round after this one.
    this.#next = undefined;
    const running = this.round();
    this.#running = running;
    const clear = (): void => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(clear, clear);
    return running;
  }
}
