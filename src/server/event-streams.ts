import type { WebSocket } from 'ws';
import { type Clock, type CommittedEvent, RegistryError } from '../domain/index.js';
import type { StreamHost, SubscriptionOpened, SubscriptionRequest } from '../operations/index.js';
import { type Dialect, encodeEventBody } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import { EventFilter } from './event-filter.js';
import type { Logger } from './log.js';
import { Subscription } from './subscription.js';

export interface StreamLimits {
  /** @default 64 */
  readonly subscriptionsPerConnection: number;
  /** Bytes the socket may hold unsent before the subscriber counts as stopped. @default 8 MiB */
  readonly maxBufferedBytes: number;
  /** Live events a subscription may hold while it replays. @default 10_000 */
  readonly maxReplayBacklog: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = Object.freeze({
  subscriptionsPerConnection: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxReplayBacklog: 10_000,
});

/** WebSocket close codes for a cut-off stream (4000-4999 is for applications). */
const CLOSE_CODES = { slow_consumer: 4008, resync_required: 4009 } as const;

/** Server-wide: one commit listener that hands each event, serialised once, to every connection. */
export class EventHub {
  private readonly connections = new Set<ConnectionStreams>();
  private readonly unlisten: () => void;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {
    this.unlisten = store.onCommit((events) => this.publish(events));
  }

  connect(socket: WebSocket): ConnectionStreams {
    const streams = new ConnectionStreams(this, socket);
    this.connections.add(streams);
    socket.once('close', () => this.connections.delete(streams));
    return streams;
  }

  close(): void {
    this.unlisten();
    this.connections.clear();
  }

  private publish(events: readonly CommittedEvent[]): void {
    if (this.connections.size === 0) return;
    const now = this.clock.now();
    for (const event of events) {
      let body: string | undefined;
      const shared = (): string => (body ??= encodeEventBody(event, now));
      for (const connection of this.connections) connection.offer(event, shared, now);
    }
  }
}

let nextId = 0;

/** One connection's subscriptions; hands out a StreamHost bound to the dialect of each call. */
export class ConnectionStreams {
  private readonly subscriptions = new Map<string, Subscription>();
  private cut = false;

  constructor(
    private readonly hub: EventHub,
    private readonly socket: WebSocket,
  ) {}

  hostFor(dialect: Dialect): StreamHost {
    return { open: (request) => this.open(dialect, request), close: (id) => this.close(id) };
  }

  offer(event: CommittedEvent, body: () => string, now: number): void {
    for (const subscription of this.subscriptions.values()) subscription.offer(event, body, now);
  }

  private open(dialect: Dialect, request: SubscriptionRequest): SubscriptionOpened {
    const { store, clock, limits } = this.hub;
    const since = request.sinceRevision;
    if (since !== undefined && store.compactRevision > 0 && since <= store.compactRevision) {
      throw new RegistryError('resync_required', `events up to revision ${store.compactRevision} were compacted away; list the services and subscribe from revision ${store.revision + 1}`, {
        details: { compactRevision: store.compactRevision, revision: store.revision },
      });
    }
    if (this.subscriptions.size >= limits.subscriptionsPerConnection) {
      throw new RegistryError('limit_exceeded', `a connection may hold at most ${limits.subscriptionsPerConnection} subscriptions`, {
        details: { limit: limits.subscriptionsPerConnection },
      });
    }
    const id = `sub-${(nextId++).toString(36)}`;
    const filter = new EventFilter(request.events, request.services);
    const sink = { send: (text: string) => this.send(text), cutOff: (code: keyof typeof CLOSE_CODES, reason: string) => this.cutOff(code, reason) };
    const subscription = new Subscription(id, dialect, filter, sink, limits.maxReplayBacklog, since, store.revision);
    this.subscriptions.set(id, subscription);
    if (since !== undefined) {
      // After the answer to `subscribe` has gone out (it is sent in this turn's microtasks).
      setImmediate(() => {
        const now = () => clock.now();
        subscription.replay(store, (event) => encodeEventBody(event, now()), now).catch((err: unknown) => {
          this.hub.logger.error({ err, subscription: id }, 'event replay failed');
          this.cutOff('resync_required', 'event replay failed; resubscribe');
        });
      });
    }
    return { subscription: id, revision: store.revision };
  }

  private close(id: string): boolean {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) return false;
    this.subscriptions.delete(id);
    subscription.end(this.hub.clock.now());
    return true;
  }

  private send(text: string): boolean {
    if (this.cut || this.socket.readyState !== this.socket.OPEN) return false;
    if (this.socket.bufferedAmount > this.hub.limits.maxBufferedBytes) {
      this.cutOff('slow_consumer', `the subscriber stopped reading: more than ${this.hub.limits.maxBufferedBytes} bytes are waiting`);
      return false;
    }
    this.socket.send(text);
    return true;
  }

  /** Writers never wait on readers: a subscriber that falls behind is disconnected with the reason. */
  private cutOff(code: keyof typeof CLOSE_CODES, reason: string): void {
    if (this.cut) return;
    this.cut = true;
    this.subscriptions.clear();
    this.hub.logger.warn({ code, reason }, 'event stream cut off');
    this.socket.close(CLOSE_CODES[code], `${code}: ${reason}`.slice(0, 120));
    // A peer that does not read will not answer the close handshake either.
    setTimeout(() => this.socket.terminate(), 5_000).unref();
  }
}
