import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { asRevision, type CommittedEvent, type RegistryError } from '../domain/index.js';
import type { EventEnvelope, StreamFraming } from '../protocol/index.js';
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
/** The most events one batch frame carries: a large commit goes out as several frames, never one huge one. */
export const MAX_BATCH_EVENTS = 256;

const OPEN_EVENT = Buffer.from('{');
const BETWEEN_EVENTS = Buffer.from('},{');
const CLOSE_EVENT = Buffer.from('}');

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
  /** The dialect's text around the event body, as bytes (it depends on the subscription and, in the hub dialect, the second). */
  private readonly envelope: EnvelopeCache;
  /** Batched subscriptions only: their framing, the bodies delivered since the last flush and their events. */
  private readonly batch:
    | { readonly envelope: EnvelopeCache; readonly bodies: Buffer[]; readonly events: CommittedEvent[] }
    | undefined;

  constructor(
    readonly id: string,
    private readonly framing: StreamFraming,
    private readonly filter: EventFilter,
    private readonly sink: SubscriptionSink,
    private readonly maxBuffered: number,
    since: number | undefined,
    currentRevision: number,
    /** Deliver the events that queue up together as one frame (when the framing has batch frames). */
    batched = false,
  ) {
    this.envelope = new EnvelopeCache((now) => framing.eventEnvelope(id, now));
    const batchEnvelope = batched ? framing.batchEnvelope : undefined;
    this.batch = batchEnvelope === undefined ? undefined : { envelope: new EnvelopeCache((now) => batchEnvelope(id, now)), bodies: [], events: [] };
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
      this.flush(now());
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
    this.flush(now());
  }

  /** A batched subscription sends what it collected, as frames of at most MAX_BATCH_EVENTS events. */
  flush(now: number): void {
    const batch = this.batch;
    if (batch === undefined || batch.bodies.length === 0) return;
    const bodies = batch.bodies.splice(0);
    const events = batch.events.splice(0);
    if (this.ended) return;
    const { head, tail } = batch.envelope.at(now);
    for (let first = 0; first < bodies.length; first += MAX_BATCH_EVENTS) {
      const pieces: Buffer[] = [head, OPEN_EVENT];
      const last = Math.min(bodies.length, first + MAX_BATCH_EVENTS);
      for (let i = first; i < last; i++) {
        const body = bodies[i];
        if (body === undefined) continue;
        if (i > first) pieces.push(BETWEEN_EVENTS);
        pieces.push(body);
      }
      pieces.push(CLOSE_EVENT, tail);
      if (!this.sink.send(pieces, events[last - 1])) {
        this.ended = true;
        return;
      }
    }
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
    if (this.batch !== undefined) {
      this.batch.bodies.push(body);
      this.batch.events.push(event);
      return;
    }
    const { head, tail } = this.envelope.at(now);
    if (!this.sink.send([head, body, tail], event)) this.ended = true;
  }
}

/** A framing's envelope as bytes, made again only when the wall-clock second changes (the hub dialect stamps it). */
class EnvelopeCache {
  private cached: { readonly second: number; readonly head: Buffer; readonly tail: Buffer } | undefined;

  constructor(private readonly make: (now: number) => EventEnvelope) {}

  at(now: number): { readonly head: Buffer; readonly tail: Buffer } {
    const second = Math.floor(now / 1000);
    if (this.cached?.second !== second) {
      const { head, tail } = this.make(now);
      this.cached = { second, head: Buffer.from(head), tail: Buffer.from(tail) };
    }
    return this.cached;
  }
}
