import type { WebSocket } from 'ws';
import { type Clock, type CommittedEvent, RegistryError } from '../domain/index.js';
import type { StreamHost, SubscriptionOpened, SubscriptionRequest } from '../operations/index.js';
import { type Dialect, encodeEventBody, newSubscriptionId } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import { EventFilter } from './event-filter.js';
import type { ConnectionOutput, CutReason } from './connection-output.js';
import type { FramePayload } from './frame-writer.js';
import type { Logger } from './log.js';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream-limits.js';
import { Subscription, type SubscriptionSink } from './subscription.js';

/** What the hub hands committed events to: one WebSocket connection's streams, or one Server-Sent Events stream. */
export interface EventConsumer {
  readonly transport: 'websocket' | 'sse';
  /** Subscriptions it holds now. */
  readonly held: number;
  /** One commit's events; `bodies[i]` gives the shared body of `events[i]`. */
  offer(events: readonly CommittedEvent[], bodies: readonly (() => Buffer)[], now: number): void;
  /** After a token change: ends its streams when its caller no longer holds `read`. */
  recheck(now: number): void;
  /** The server is shutting down. */
  shutdown?(): void;
}

/** Open subscriptions by transport, and the open Server-Sent Events streams (metrics). */
export interface StreamCounts {
  readonly subscriptions: { readonly websocket: number; readonly sse: number };
  readonly sseStreams: number;
}

/**
 * Server-wide: one commit listener that hands each event, serialised once, to every connection
 * that subscribed. Commits are handed on once per event-loop turn (setImmediate): the commits
 * that finish in one turn leave as one write per connection (and one frame per batched
 * subscription), the way cork/uncork would merge them, but without a write per commit first.
 */
export class EventHub {
  private readonly connections = new Set<EventConsumer>();
  private readonly unlisten: () => void;
  /** Events committed since the last hand-off, in commit order. */
  private queued: CommittedEvent[] = [];
  private handOff: NodeJS.Immediate | undefined;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly logger: Logger,
    /** The limits in force; a reload replaces them (subscriptions already open stay). */
    public limits: StreamLimits = DEFAULT_STREAM_LIMITS,
    /** Told after each commit's events went to the subscribers, with the time it happened (metrics: delivery lag). */
    private readonly onPublished: (events: readonly CommittedEvent[], now: number) => void = () => undefined,
  ) {
    const unlistenCommits = store.onCommit((events) => this.queue(events));
    const unlistenTokens = store.tokens.onChange(() => this.reauthorize());
    this.unlisten = () => {
      unlistenCommits();
      unlistenTokens();
    };
  }

  /**
   * A connection's streams; it joins the hub only once it subscribes (most connections never do).
   * `mayRead` tells whether the connection still holds `read`, worked out from its credentials now.
   */
  connect(socket: WebSocket, output: ConnectionOutput, mayRead: () => boolean): ConnectionStreams {
    return new ConnectionStreams(this, socket, output, mayRead);
  }

  /** After a token or role change: a stream whose connection no longer holds `read` ends with `unauthorized`. */
  reauthorize(): void {
    const now = this.clock.now();
    for (const connection of this.connections) connection.recheck(now);
  }

  /** Starts handing events to `consumer`; false when it already had them. */
  attach(consumer: EventConsumer): boolean {
    if (this.connections.has(consumer)) return false;
    this.connections.add(consumer);
    return true;
  }

  detach(consumer: EventConsumer): void {
    this.connections.delete(consumer);
  }

  counts(): StreamCounts {
    const subscriptions = { websocket: 0, sse: 0 };
    let sseStreams = 0;
    for (const consumer of this.connections) {
      subscriptions[consumer.transport] += consumer.held;
      if (consumer.transport === 'sse') sseStreams++;
    }
    return { subscriptions, sseStreams };
  }

  close(): void {
    this.unlisten();
    if (this.handOff !== undefined) clearImmediate(this.handOff);
    this.handOff = undefined;
    this.queued = [];
    const consumers = [...this.connections];
    this.connections.clear();
    for (const consumer of consumers) consumer.shutdown?.();
  }

  private queue(events: readonly CommittedEvent[]): void {
    if (this.connections.size === 0 || events.length === 0) return;
    for (const event of events) this.queued.push(event);
    this.handOff ??= setImmediate(() => {
      this.handOff = undefined;
      const due = this.queued;
      this.queued = [];
      this.publish(due);
    });
  }

  private publish(events: readonly CommittedEvent[]): void {
    if (this.connections.size === 0) return;
    const now = this.clock.now();
    // Each event's body is serialised once, as bytes, and only if some subscription wants it.
    const bodies = events.map((event) => {
      let body: Buffer | undefined;
      return (): Buffer => (body ??= Buffer.from(encodeEventBody(event, now)));
    });
    for (const connection of this.connections) connection.offer(events, bodies, now);
    this.onPublished(events, now);
  }
}

/** The StreamHost of one call: the connection's streams and the dialect the call used. */
class DialectStreams implements StreamHost {
  constructor(
    private readonly streams: ConnectionStreams,
    private readonly dialect: Dialect,
  ) {}

  get held(): number {
    return this.streams.held;
  }

  get limit(): number {
    return this.streams.limit;
  }

  open(request: SubscriptionRequest): SubscriptionOpened {
    return this.streams.open(this.dialect, request);
  }

  close(id: string): boolean {
    return this.streams.close(id);
  }
}

/**
 * One connection's subscriptions. The frames one commit owes the connection leave as one write.
 * Nothing is allocated for a connection that never subscribes but this object.
 */
export class ConnectionStreams implements SubscriptionSink, EventConsumer {
  readonly transport = 'websocket';
  private subscriptions: Map<string, Subscription> | undefined;
  /** Frames collected while a commit's events are offered; written together at the end. */
  private pending: FramePayload[] | undefined;

  constructor(
    private readonly hub: EventHub,
    private readonly socket: WebSocket,
    private readonly output: ConnectionOutput,
    private readonly mayRead: () => boolean,
  ) {}

  /** Ends every stream with a final `unauthorized` frame when the connection lost `read` (a revoked token). */
  recheck(now: number): void {
    const subscriptions = this.subscriptions;
    if (subscriptions === undefined || subscriptions.size === 0 || this.mayRead()) return;
    const error = new RegistryError('unauthorized', 'the credentials this stream relied on were revoked: authenticate again and subscribe anew');
    this.hub.logger.info({ subscriptions: subscriptions.size }, 'event streams ended: the connection no longer holds read');
    const ending = [...subscriptions.values()];
    subscriptions.clear();
    for (const subscription of ending) subscription.fail(error, now);
  }

  hostFor(dialect: Dialect): StreamHost {
    return new DialectStreams(this, dialect);
  }

  offer(events: readonly CommittedEvent[], bodies: readonly (() => Buffer)[], now: number): void {
    const subscriptions = this.subscriptions;
    if (subscriptions === undefined || subscriptions.size === 0) return;
    const frames: FramePayload[] = [];
    this.pending = frames;
    try {
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        const body = bodies[i];
        if (event === undefined || body === undefined) continue;
        for (const subscription of subscriptions.values()) subscription.offer(event, body, now);
      }
      for (const subscription of subscriptions.values()) subscription.flush(now);
    } finally {
      this.pending = undefined;
    }
    if (frames.length > 0 && !this.output.send(frames)) this.subscriptions?.clear();
  }

  get held(): number {
    return this.subscriptions?.size ?? 0;
  }

  get limit(): number {
    return this.hub.limits.subscriptionsPerConnection;
  }

  /** Starts a stream as `subscribe` asked for it (the operation checked the revision and the limit). */
  open(dialect: Dialect, request: SubscriptionRequest): SubscriptionOpened {
    const { store, clock, limits } = this.hub;
    const since = request.sinceRevision;
    const subscriptions = (this.subscriptions ??= new Map());
    const id = newSubscriptionId();
    const filter = new EventFilter(request.events, request.services);
    const subscription = new Subscription(id, dialect, filter, this, limits.maxReplayBacklog, since, store.revision, request.batch === true);
    subscriptions.set(id, subscription);
    if (this.hub.attach(this)) this.socket.once('close', () => this.hub.detach(this));
    if (since !== undefined) {
      // After the answer to `subscribe` has gone out (it is sent in this turn's microtasks).
      setImmediate(() => {
        const now = () => clock.now();
        const encode = (event: CommittedEvent) => Buffer.from(encodeEventBody(event, now()));
        subscription.replay({ store, encode, now, readable: () => this.output.whenReadable() }).catch((err: unknown) => {
          this.hub.logger.error({ err, subscription: id }, 'event replay failed');
          this.cutOff('resync_required', 'event replay failed; resubscribe');
        });
      });
    }
    return { subscription: id, revision: store.revision };
  }

  close(id: string): boolean {
    const subscription = this.subscriptions?.get(id);
    if (subscription === undefined) return false;
    this.subscriptions?.delete(id);
    subscription.end(this.hub.clock.now());
    return true;
  }

  /** For the subscriptions: queues a frame (or sends it at once outside a commit); false once cut off. */
  send(frame: FramePayload): boolean {
    if (this.output.isCut || this.socket.readyState !== this.socket.OPEN) return false;
    if (this.pending !== undefined) {
      this.pending.push(frame);
      return true;
    }
    if (this.output.send([frame])) return true;
    this.subscriptions?.clear();
    return false;
  }

  /** Writers never wait on readers: a subscriber that falls behind is disconnected with the reason. */
  cutOff(code: CutReason, reason: string): void {
    this.subscriptions?.clear();
    this.output.cut(code, reason);
  }
}
