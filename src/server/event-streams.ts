import type { WebSocket } from 'ws';
import { type CommittedEvent, RegistryError, roleAllows } from '../domain/index.js';
import type { Principal, StreamHost, SubscriptionOpened, SubscriptionRequest } from '../operations/index.js';
import { type Dialect, encodeEventBody, newSubscriptionId } from '../protocol/index.js';
import { EventFilter } from './event-filter.js';
import type { ConnectionOutput, CutReason } from './connection-output.js';
import type { EventConsumer, EventHub } from './event-hub.js';
import type { FramePayload } from './frame-writer.js';
import { Subscription, type SubscriptionSink } from './subscription.js';

/** What a connection's streams ask of its credentials: the principal they stand for now (a revoked token loses its role). */
export interface StreamCredentials {
  principal(): Principal;
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
    private readonly credentials: StreamCredentials,
  ) {}

  /** Ends every stream with a final `unauthorized` frame when the connection lost `read` (a revoked token). */
  recheck(now: number): void {
    const subscriptions = this.subscriptions;
    if (subscriptions === undefined || subscriptions.size === 0 || roleAllows(this.credentials.principal().role, 'read')) return;
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
