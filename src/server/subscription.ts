import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { asRevision, type CommittedEvent, type RegistryError } from '../domain/index.js';
import type { StreamFraming } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import type { CutReason } from './connection-output.js';
import { type EventFilter, isAfter } from './event-filter.js';
import type { FramePayload } from './frame-writer.js';

/**
 * How many events one replay read takes from the log. A replay goes page by page and yields to the
 * event loop after each, so other connections are served between two pages of a long replay.
 */
export const REPLAY_PAGE = 256;
/** Position sentinel: every event of the revision counts as delivered. */
const WHOLE_REVISION = Number.MAX_SAFE_INTEGER;

export interface SubscriptionSink {
  /** Sends one frame (`event`: the event it carries, if any); false when the connection was cut off (slow consumer or gone). */
  send(frame: FramePayload, event?: CommittedEvent): boolean;
  /** Ends the connection: the subscriber must resume by revision (or resync). */
  cutOff(code: CutReason, reason: string): void;
}

/** What a replay reads from and writes with. */
export interface ReplaySource {
  readonly store: Store;
  readonly encode: (event: CommittedEvent) => Buffer;
  readonly now: () => number;
  /** Resolves once the subscriber has read most of what it was sent: a replay never runs far ahead of its reader. */
  readonly readable: () => Promise<void>;
}

/**
 * One event stream. It starts by replaying the log from `since` while buffering live events,
 * then delivers live events; (revision, index) order makes every event go out exactly once.
 */
export class Subscription {
  private lastRevision: number;
  private lastIndex = WHOLE_REVISION;
  private replaying: boolean;
  private buffered: CommittedEvent[] = [];
  private ended = false;
  /** The dialect's text around the event body, as bytes, for the wall-clock second it was made in. */
  private envelope: { readonly second: number; readonly head: Buffer; readonly tail: Buffer } | undefined;

  constructor(
    readonly id: string,
    private readonly framing: StreamFraming,
    private readonly filter: EventFilter,
    private readonly sink: SubscriptionSink,
    private readonly maxBuffered: number,
    since: number | undefined,
    currentRevision: number,
  ) {
    this.replaying = since !== undefined;
    this.lastRevision = since === undefined ? currentRevision : Math.max(since, 1) - 1;
  }

  /** A live event, with a lazily built shared body so each event is serialised once for all. */
  offer(event: CommittedEvent, body: () => Buffer, now: number): void {
    if (this.ended || !this.filter.matches(event)) return;
    if (!this.replaying) return this.deliver(event, body(), now);
    this.buffered.push(event);
    if (this.buffered.length > this.maxBuffered) {
      this.sink.cutOff('slow_consumer', `subscription ${this.id} fell more than ${this.maxBuffered} events behind during replay`);
    }
  }

  /**
   * Reads the missed events from the log, a page at a time, then flushes what arrived meanwhile.
   * Between pages it waits for the subscriber to read and yields to the event loop: one reader's
   * replay, however long, never holds up another connection for more than a page.
   */
  async replay(source: ReplaySource): Promise<void> {
    const { store, encode, now } = source;
    let after = this.lastRevision;
    let limit = REPLAY_PAGE;
    while (this.replaying && !this.ended) {
      await source.readable();
      await yieldToEventLoop();
      if (this.ended) break;
      const page = await store.eventsSince(asRevision(after), limit);
      const first = page[0];
      if (first !== undefined && first.revision > after + 1) {
        // Revisions are contiguous (each has an event), so a gap means compaction overtook us.
        this.sink.cutOff('resync_required', `events after revision ${after} were compacted away during replay`);
        return;
      }
      for (const event of page) if (this.filter.matches(event)) this.deliver(event, encode(event), now());
      const last = page.at(-1);
      if (last === undefined || page.length < limit) break;
      // The page may end inside a revision: read that revision again; delivered events are skipped.
      if (last.revision - 1 === after) limit *= 2;
      else [after, limit] = [last.revision - 1, REPLAY_PAGE];
    }
    this.replaying = false;
    const pending = this.buffered;
    this.buffered = [];
    for (const event of pending) this.deliver(event, encode(event), now());
  }

  end(now: number): void {
    if (this.ended) return;
    this.ended = true;
    const frame = this.framing.streamEnd(this.id, now);
    if (frame !== undefined) this.sink.send(frame);
  }

  /** Ends the stream for a reason the subscriber must act on: a final error frame, then the dialect's end. */
  fail(error: RegistryError, now: number): void {
    if (this.ended) return;
    this.sink.send(this.framing.streamError(this.id, error, now));
    this.end(now);
  }

  private deliver(event: CommittedEvent, body: Buffer, now: number): void {
    if (this.ended || !isAfter(event, this.lastRevision, this.lastIndex)) return;
    this.lastRevision = event.revision;
    this.lastIndex = event.index;
    const { head, tail } = this.envelopeAt(now);
    if (!this.sink.send([head, body, tail], event)) this.ended = true;
  }

  /** The envelope depends on the subscription and, in the hub dialect, on the second (its timestamp). */
  private envelopeAt(now: number): { readonly head: Buffer; readonly tail: Buffer } {
    const second = Math.floor(now / 1000);
    if (this.envelope?.second !== second) {
      const { head, tail } = this.framing.eventEnvelope(this.id, now);
      this.envelope = { second, head: Buffer.from(head), tail: Buffer.from(tail) };
    }
    return this.envelope;
  }
}
