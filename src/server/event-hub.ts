import type { WebSocket } from 'ws';
import type { Clock, CommittedEvent } from '../domain/index.js';
import { encodeEventBody } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import type { ConnectionOutput } from './connection-output.js';
import { ConnectionStreams, type StreamCredentials } from './event-streams.js';
import type { Logger } from './log.js';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream-limits.js';

/** What the hub hands committed events to: one WebSocket connection's streams, or one Server-Sent Events stream. */
export interface EventConsumer {
  readonly transport: 'websocket' | 'sse';
  /** Subscriptions it holds now. */
  readonly held: number;
  /** One commit's events, in order; `bodies[i]` gives the shared body of `events[i]`. */
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
 * that subscribed, at once. One group commit's events (the writes that arrived together) leave as
 * one pre-framed write per connection, and as one frame per batched subscription.
 *
 * Holding events back to merge more commits into a write was measured and dropped
 * (bench/README.md): handing off on the next event-loop turn, or no sooner than the last hand-off
 * took, merged nothing at a steady 100 commits/s and only added latency.
 */
export class EventHub {
  private readonly connections = new Set<EventConsumer>();
  private readonly unlisten: () => void;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly logger: Logger,
    /** The limits in force; a reload replaces them (subscriptions already open stay). */
    public limits: StreamLimits = DEFAULT_STREAM_LIMITS,
    /** Told after each commit's events went to the subscribers, with the time it happened (metrics: delivery lag). */
    private readonly onPublished: (events: readonly CommittedEvent[], now: number) => void = () => undefined,
  ) {
    const unlistenCommits = store.onCommit((events) => this.publish(events));
    const unlistenTokens = store.tokens.onChange(() => this.reauthorize());
    this.unlisten = () => {
      unlistenCommits();
      unlistenTokens();
    };
  }

  /**
   * A connection's streams; it joins the hub only once it subscribes (most connections never do).
   * `credentials` tell whether the connection still holds `read`, worked out from them at each check.
   */
  connect(socket: WebSocket, output: ConnectionOutput, credentials: StreamCredentials): ConnectionStreams {
    return new ConnectionStreams(this, socket, output, credentials);
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
    const consumers = [...this.connections];
    this.connections.clear();
    for (const consumer of consumers) consumer.shutdown?.();
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

