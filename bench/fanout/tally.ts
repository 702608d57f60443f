import { SampleBuffer, wallNow } from '../lib/stats.js';

/** What a fan-out subscriber thread reports once every event arrived or the grace time ran out. */
export interface FanoutDone {
  readonly type: 'done';
  /** Deliveries counted once per (subscriber, revision). */
  readonly delivered: number;
  readonly duplicates: number;
  /** Subscribers that received every event the writer committed. */
  readonly complete: number;
  readonly subscribers: number;
  /** Send → receipt, in ms, one sample per delivery. */
  readonly samples: Float64Array<ArrayBuffer>;
  readonly closedEarly: number;
  readonly firstClose: string | undefined;
}

/** The `go` message: how many events were committed, and how long to wait for stragglers. */
export interface FanoutExpect {
  readonly expect: number;
  readonly graceMs: number;
}

/** The delivery counts of one thread's subscribers. */
export class FanoutTally {
  private readonly counts: Int32Array;
  private readonly lastRevision: Float64Array;
  private readonly samples = new SampleBuffer();
  private duplicates = 0;
  private closedEarly = 0;
  private firstClose: string | undefined;
  private expected = Number.POSITIVE_INFINITY;
  private onComplete: (() => void) | undefined;

  constructor(readonly subscribers: number) {
    this.counts = new Int32Array(subscribers);
    this.lastRevision = new Float64Array(subscribers);
  }

  /** One event received by subscriber `i`: `sentAt` is the writer's wall clock when it sent the write. */
  receive(i: number, revision: number, sentAt: number): void {
    const received = wallNow();
    if (revision <= (this.lastRevision[i] ?? 0)) {
      this.duplicates++;
      return;
    }
    this.lastRevision[i] = revision;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.samples.push(received - sentAt);
    if (this.onComplete !== undefined && this.isComplete()) this.onComplete();
  }

  closed(reason: string): void {
    this.closedEarly++;
    this.firstClose ??= reason;
  }

  /** Resolves once every subscriber has `expect` events, or after `graceMs`. */
  wait(expect: FanoutExpect): Promise<void> {
    this.expected = expect.expect;
    if (this.isComplete()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, expect.graceMs);
      this.onComplete = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  result(): FanoutDone {
    const delivered = this.counts.reduce((n, c) => n + c, 0);
    const complete = this.counts.reduce((n, c) => n + (c >= this.expected ? 1 : 0), 0);
    return {
      type: 'done',
      delivered,
      duplicates: this.duplicates,
      complete,
      subscribers: this.subscribers,
      samples: this.samples.take(),
      closedEarly: this.closedEarly,
      firstClose: this.firstClose,
    };
  }

  private isComplete(): boolean {
    return this.counts.every((c) => c >= this.expected);
  }
}

/** The writer's send time carried inside the event, as `"bench_t":"<ms>"`. */
export function sentAtOf(text: string): number | undefined {
  const match = /"bench_t":"([0-9.]+)"/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
