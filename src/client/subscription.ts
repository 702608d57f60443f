import {
  DEFAULT_RECONNECT_BASE_MS,
  DEFAULT_RECONNECT_MAX_MS,
  decodeStreamedEvent,
  isFinal,
  reconnectDelay,
  type StreamedEvent,
  type StreamStatus,
  type SubscribeOptions,
} from './event-stream.js';

/** The connection an EventStream rides on; a fresh one after every disconnect. */
export interface StreamConnection {
  /** Sends `subscribe`; every event frame of this connection goes to `onEvent`, and the error of a stream the server ended to `onEnded`. */
  subscribe(params: Record<string, unknown>, onEvent: (frame: Readonly<Record<string, unknown>>) => void, onEnded: (error: Error) => void): Promise<void>;
  readonly closed: Promise<void | Error>;
  close(): Promise<void>;
}

/**
 * Events as an AsyncIterable that survives disconnects: it reconnects with jittered backoff and
 * resumes from the last revision it handed out, skipping what it already gave, so the consumer
 * sees every event once, in order. Leaving the `for await` loop ends the subscription.
 */
export class EventStream implements AsyncIterable<StreamedEvent>, AsyncDisposable {
  /** Resolves when the stream has ended; with the error that ended it, if any. Never rejects. */
  readonly ended: Promise<Error | undefined>;
  private readonly queue: StreamedEvent[] = [];
  private wake: (() => void) | undefined;
  private last: { revision: number; index: number } | undefined;
  private stopped = false;
  private failure: Error | undefined;
  private finished = false;
  private consumed = false;
  private connection: StreamConnection | undefined;
  private cancelWait: (() => void) | undefined;

  constructor(
    private readonly connect: () => Promise<StreamConnection>,
    private readonly options: SubscribeOptions,
  ) {
    this.ended = this.run();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamedEvent> {
    if (this.consumed) throw new Error('an event stream has one consumer');
    this.consumed = true;
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.finished) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.close();
    }
  }

  /** Ends the subscription and its connection; a second call waits for the first. */
  async close(): Promise<void> {
    this.stopped = true;
    this.cancelWait?.();
    await this.connection?.close();
    await this.ended;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private status(status: StreamStatus): void {
    this.options.onStatus?.(status);
  }

  private async run(): Promise<Error | undefined> {
    for (let attempt = 0; !this.stopped; ) {
      try {
        const closed = await this.session();
        attempt = 0;
        if (this.stopped) break;
        this.status({ type: 'disconnect', reason: closed?.message ?? 'the connection closed' });
      } catch (error) {
        if (isFinal(error)) {
          this.failure = error instanceof Error ? error : new Error(String(error));
          break;
        }
      }
      if (this.stopped) break;
      const delayMs = reconnectDelay(attempt++, this.options.reconnectBaseMs ?? DEFAULT_RECONNECT_BASE_MS, this.options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS);
      this.status({ type: 'reconnecting', attempt, delayMs });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.cancelWait = () => (clearTimeout(timer), resolve());
      });
    }
    this.finished = true;
    this.wake?.();
    this.status(this.failure === undefined ? { type: 'closed' } : { type: 'closed', reason: this.failure });
    return this.failure;
  }

  /** One connection's life: subscribe from where we are, deliver until it closes. */
  private async session(): Promise<void | Error> {
    const connection = await this.connect();
    this.connection = connection;
    if (this.stopped) {
      await connection.close();
      return undefined;
    }
    // Resume at the last revision itself: a disconnect may have cut a revision's events short.
    const since = this.last?.revision ?? this.options.sinceRevision;
    const params: Record<string, unknown> = { ...(since === undefined ? {} : { since_revision: since }) };
    if (this.options.events) params.events = this.options.events;
    if (this.options.services) params.services = this.options.services;
    if (this.options.batch === true) params.batch = true;
    try {
      await connection.subscribe(params, (frame) => this.accept(frame), (error) => this.endedByServer(error, connection));
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.status({ type: 'connected', since });
    return connection.closed;
  }

  /** The server ended the stream (a revoked token): the error is final for a role error, else the stream resumes elsewhere. */
  private endedByServer(error: Error, connection: StreamConnection): void {
    if (isFinal(error)) {
      this.failure = error;
      this.stopped = true;
    }
    void connection.close();
  }

  private accept(frame: Readonly<Record<string, unknown>>): void {
    const event = decodeStreamedEvent(frame);
    if (event === undefined) return;
    const last = this.last;
    if (last !== undefined && (event.revision < last.revision || (event.revision === last.revision && event.index <= last.index))) return;
    this.last = { revision: event.revision, index: event.index };
    this.queue.push(event);
    this.wake?.();
    this.wake = undefined;
  }
}
