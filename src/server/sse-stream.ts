/**
 * One `GET /v1/events` stream: the `subscribe` operation's stream host for that request, and the
 * hub's consumer of it. Events reach it through the same Subscription as a WebSocket's (filters,
 * replay from a revision, each event once); this class frames them as Server-Sent Events and holds
 * the peer to the same bounds: what it leaves unread counts against the connection's limit and the
 * server-wide budget, and past them the stream ends with `slow_consumer`.
 */
import type { ServerResponse } from 'node:http';
import { type CommittedEvent, RegistryError } from '../domain/index.js';
import type { StreamHost, SubscriptionOpened, SubscriptionRequest } from '../operations/index.js';
import { encodeEventBody, newSubscriptionId, SSE_KEEPALIVE, sseError, sseEventFields, sseFraming, sseOpening } from '../protocol/index.js';
import type { CutReason, UnreadBudget, UnreadHolder } from './connection-output.js';
import { EventFilter } from './event-filter.js';
import type { EventConsumer, EventHub } from './event-hub.js';
import type { FramePayload } from './frame-writer.js';
import { Subscription, type SubscriptionSink } from './subscription.js';

/** How often an idle stream sends a comment, so proxies and the peer see it alive. */
export const DEFAULT_SSE_KEEPALIVE_MS = 15_000;

/** Unread bytes below which a waiting replay goes on. */
const LOW_WATER_FRACTION = 8;

export interface SseStreamOptions {
  readonly hub: EventHub;
  readonly res: ServerResponse;
  /** Whether the request's credentials still hold `read`, worked out now (a revoked token ends the stream). */
  readonly mayRead: () => boolean;
  readonly budget: UnreadBudget;
  /** @default DEFAULT_SSE_KEEPALIVE_MS */
  readonly keepaliveMs?: number;
}

const joined = (frame: FramePayload): Buffer =>
  typeof frame === 'string' ? Buffer.from(frame) : Buffer.concat(frame.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));

export class SseStream implements EventConsumer, SubscriptionSink, StreamHost, UnreadHolder {
  readonly transport = 'sse';
  readonly limit = 1;
  private subscription: Subscription | undefined;
  /** Written once the answer of `subscribe` is: until then what the stream owes waits here. */
  private early: Buffer[] | undefined = [];
  private earlyBytes = 0;
  /** The events of the revision being delivered: the last one gets the `id:` once the revision is whole. */
  private revisionFrames: { readonly type: string; readonly frame: FramePayload }[] = [];
  private heldRevision: number | undefined;
  private cutReason: CutReason | undefined;
  private finished = false;
  private counted = 0;
  private waiters: Array<() => void> = [];
  private keepalive: NodeJS.Timeout | undefined;

  constructor(private readonly options: SseStreamOptions) {
    const { res } = options;
    res.on('drain', () => this.recount());
    res.once('close', () => this.gone());
  }

  get held(): number {
    return this.subscription === undefined ? 0 : 1;
  }

  get isCut(): boolean {
    return this.cutReason !== undefined;
  }

  get unread(): number {
    return this.finished && this.options.res.destroyed ? 0 : this.earlyBytes + this.options.res.writableLength;
  }

  /** For `subscribe`: starts the stream (its replay, if any, once the answer is written). */
  open(request: SubscriptionRequest): SubscriptionOpened {
    const { hub } = this.options;
    const { store, clock, limits } = hub;
    const id = newSubscriptionId();
    const filter = new EventFilter(request.events, request.services);
    const since = request.sinceRevision;
    const subscription = new Subscription(id, sseFraming, filter, this, limits.maxReplayBacklog, since, store.revision);
    this.subscription = subscription;
    hub.attach(this);
    if (since !== undefined) {
      setImmediate(() => {
        const now = () => clock.now();
        const encode = (event: CommittedEvent) => Buffer.from(encodeEventBody(event, now()));
        subscription
          .replay({ store, encode, now, readable: () => this.whenReadable() })
          .then(() => this.settle())
          .catch((err: unknown) => {
            hub.logger.error({ err, subscription: id }, 'event replay failed');
            this.cut('resync_required', 'event replay failed; reconnect');
          });
      });
    }
    return { subscription: id, revision: store.revision };
  }

  close(): boolean {
    return false;
  }

  /** The answer of `subscribe` failed after all: the stream ends before it began, and the caller answers the error. */
  abandon(): void {
    this.finish();
  }

  /**
   * The answer of `subscribe` went well: the head, the opening message, then what waited. False
   * when the stream was cut before it began (its replay fell behind): the caller answers `error`.
   */
  begin(answer: unknown): boolean {
    const { res } = this.options;
    if (this.finished) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // nginx and friends buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    const early = this.early ?? [];
    this.early = undefined;
    this.earlyBytes = 0;
    res.write(Buffer.concat([Buffer.from(sseOpening(answer)), ...early]));
    this.recount();
    const every = this.options.keepaliveMs ?? DEFAULT_SSE_KEEPALIVE_MS;
    this.keepalive = setInterval(() => this.write(Buffer.from(SSE_KEEPALIVE)), every);
    this.keepalive.unref();
    return true;
  }

  offer(events: readonly CommittedEvent[], bodies: readonly (() => Buffer)[], now: number): void {
    const subscription = this.subscription;
    if (subscription === undefined || this.finished) return;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const body = bodies[i];
      if (event !== undefined && body !== undefined) subscription.offer(event, body, now);
    }
    // A commit's revisions are whole: the last one's id can go out.
    this.settle();
  }

  recheck(now: number): void {
    if (this.subscription === undefined || this.finished || this.options.mayRead()) return;
    this.options.hub.logger.info({}, 'event stream ended: the request no longer holds read');
    this.subscription.fail(new RegistryError('unauthorized', 'the credentials this stream relied on were revoked: authenticate again and reconnect'), now);
    this.finish();
  }

  shutdown(): void {
    this.settle();
    this.finish();
  }

  /** From the subscription: an event frame (held until its revision is whole), or its final error frame. */
  send(frame: FramePayload, event?: CommittedEvent): boolean {
    if (this.finished || this.isCut) return false;
    if (event === undefined) {
      this.settle();
      return this.write(joined(frame));
    }
    if (this.heldRevision !== undefined && this.heldRevision !== event.revision) this.settle();
    this.heldRevision = event.revision;
    this.revisionFrames.push({ type: event.type, frame });
    return true;
  }

  cutOff(code: CutReason, reason: string): void {
    this.cut(code, reason);
  }

  /** Ends the stream with the reason as its last message; the client resumes with Last-Event-ID. */
  cut(reason: CutReason, detail: string): void {
    if (this.isCut || this.finished) return;
    this.cutReason = reason;
    this.revisionFrames = [];
    this.options.hub.logger.warn({ code: reason, reason: detail }, 'event stream cut off');
    const last = Buffer.from(sseError(new RegistryError(reason, detail)));
    if (this.early === undefined) this.options.res.write(last);
    this.finish();
  }

  drop(): void {
    this.options.res.destroy();
    this.recount();
  }

  /** Writes the held revision, its last event carrying the revision as `id:`. */
  private settle(): void {
    const held = this.revisionFrames;
    const revision = this.heldRevision;
    if (held.length === 0 || revision === undefined) return;
    this.revisionFrames = [];
    this.heldRevision = undefined;
    const parts = held.map((item, i) => Buffer.concat([Buffer.from(sseEventFields(item.type, i === held.length - 1 ? revision : undefined)), joined(item.frame)]));
    this.write(Buffer.concat(parts));
  }

  /** One write, checked against the connection's limit first; false once the stream is cut or gone. */
  private write(bytes: Buffer): boolean {
    if (this.finished || this.isCut) return false;
    const unread = this.unread;
    const limit = this.options.hub.limits.maxBufferedBytes;
    if (unread > 0 && unread + bytes.length > limit) {
      this.cut('slow_consumer', `the peer stopped reading: ${unread} bytes are unread and the limit is ${limit}`);
      return false;
    }
    if (this.early !== undefined) {
      this.early.push(bytes);
      this.earlyBytes += bytes.length;
    } else {
      this.options.res.write(bytes);
    }
    this.recount();
    return true;
  }

  private whenReadable(): Promise<void> {
    if (this.finished || this.unread <= this.options.hub.limits.maxBufferedBytes / LOW_WATER_FRACTION) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private recount(): void {
    const now = this.unread;
    const delta = now - this.counted;
    this.counted = now;
    if (delta !== 0) this.options.budget.change(this, delta);
    if (this.waiters.length > 0 && (this.finished || now <= this.options.hub.limits.maxBufferedBytes / LOW_WATER_FRACTION)) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Ends the response; what was written still reaches a peer that reads. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.keepalive);
    this.options.hub.detach(this);
    this.subscription?.end(this.options.hub.clock.now());
    if (this.early === undefined) this.options.res.end();
    this.recount();
  }

  /** The peer went away (or the response ended): nothing more is owed. */
  private gone(): void {
    this.finish();
    this.early = [];
    this.earlyBytes = 0;
    this.recount();
  }
}
