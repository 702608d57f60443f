import type { WebSocket } from 'ws';
import { RegistryError } from '../domain/index.js';

import { type Call, type Dialect, dialects, type Frame, FrameError, type Outcome, parseFrame, type RequestId } from '../protocol/index.js';
import type { Caller, Runner } from './runner.js';
import type { ConnectionStreams } from './event-streams.js';
import type { Clock } from '../domain/index.js';
import type { ConnectionAuth } from './auth-connection.js';
import { TokenBucket } from './limits.js';
import type { ConnectionOutput } from './connection-output.js';

/** What one connection may send and leave unread (SECURITY.md). */
export interface SessionLimits {
  readonly requestsPerSecond: number;
  readonly requestBurst: number;
  /** Requests running at once; past it a request answers `limit_exceeded`. */
  readonly maxPendingRequests: number;
}

export interface SessionOptions {
  readonly socket: WebSocket;
  readonly caller: Caller;
  readonly streams: ConnectionStreams;
  /** Where answers go: it bounds what the peer may leave unread (connection-output.ts). */
  readonly output: ConnectionOutput;
  readonly runner: Runner;
  readonly clock: Clock;
  readonly maxFrameBytes: number;
  /** The connection's credentials, checked at every call; absent: `caller.principal` as it is. */
  readonly auth?: ConnectionAuth;
  /** Absent: no rate or pending limit. */
  readonly limits?: SessionLimits;
}

/**
 * One connection: reads frames, runs them, answers in the dialect each frame used. A frame
 * that cannot be read is answered in the dialect the connection last used (JSON-RPC before any).
 */
export class Session {
  private lastDialect: Dialect = dialects.jsonrpc;
  private inFlight = 0;
  /** Who waits for `drained()`; made on first use (most connections never close with requests running). */
  private idle: Array<() => void> | undefined;
  /**
   * Made at the first frame: a bucket starts full and never holds more than full, so one made
   * then behaves as one made at connect, and an idle connection does without it.
   */
  private bucket: TokenBucket | undefined;

  constructor(private readonly options: SessionOptions) {
    options.socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
  }

  /** The socket closed: its output drops what waits and leaves the server-wide budget. */
  connectionClosed(): void {
    this.options.output.connectionClosed();
  }

  /** Resolves once no request of this connection is running. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle ??= []).push(resolve));
  }

  private onMessage(data: import('ws').RawData, isBinary: boolean): void {
    // Every frame takes a token, even one that is refused below; only a request finding none answers rate_limited.
    const { limits, clock } = this.options;
    const now = clock.now();
    if (limits !== undefined && this.bucket?.shaped(limits.requestsPerSecond, limits.requestBurst) !== true) {
      this.bucket = new TokenBucket(limits.requestsPerSecond, limits.requestBurst, now);
    }
    const limited = this.bucket !== undefined && !this.bucket.take(now);
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > this.options.maxFrameBytes) {
      const error = new RegistryError('frame_too_large', `the frame is ${size} bytes; the limit is ${this.options.maxFrameBytes}`, {
        details: { size, limit: this.options.maxFrameBytes },
      });
      this.send([this.lastDialect.encodeFrameError(null, error)]);
      return;
    }
    if (isBinary) {
      this.send([this.lastDialect.encodeFrameError(null, new RegistryError('invalid_frame', 'binary frames are not accepted; send JSON text'))]);
      return;
    }
    // ws hands text frames over as a Buffer (binaryType "nodebuffer"): decode it in place, without a copy.
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    this.handleText(text, limited);
  }

  private handleText(text: string, limited: boolean): void {
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      this.sendFrameError(parsed.dialect ?? this.lastDialect, parsed.error.id, parsed.error);
      return;
    }
    this.lastDialect = parsed.dialect;
    let decoded;
    try {
      decoded = parsed.dialect.decode(parsed.message, this.options.clock.now());
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.sendFrameError(parsed.dialect, error.id, error);
      return;
    }
    const { call } = decoded;
    const refusal = this.refusal(limited);
    if (refusal !== undefined) {
      this.options.runner.refused(call, refusal);
      this.send(parsed.dialect.encode(call, { ok: false, error: refusal }, this.options.clock.now()));
      return;
    }
    if (decoded.kind === 'reply') {
      // Answered by the dialect itself (the hub's `_info`), yet counted like any request.
      this.send(decoded.frames);
      return;
    }
    this.inFlight++;
    const { auth, caller } = this.options;
    const current = auth === undefined ? caller : { ...caller, principal: auth.principal() };
    // One reaction per request: the runner never rejects, and `finally` would cost two more promises.
    void this.options.runner.run(call, current, this.options.streams.hostFor(parsed.dialect), auth).then(
      (outcome) => this.answer(parsed.dialect, call, outcome),
      () => this.settle(),
    );
  }

  private answer(dialect: Dialect, call: Call, outcome: Outcome): void {
    try {
      this.send(dialect.encode(call, outcome, this.options.clock.now()));
    } finally {
      this.settle();
    }
  }

  /**
   * Why a call is not run: the connection's bucket is empty (every frame takes a token), or too
   * many of its requests are running. The caller gets the error in its dialect.
   */
  private refusal(limited: boolean): RegistryError | undefined {
    const { limits } = this.options;
    if (limits === undefined) return undefined;
    if (limited) {
      return new RegistryError('rate_limited', `too many requests on this connection (at most ${limits.requestsPerSecond} per second, bursts of ${limits.requestBurst}); slow down and retry`, {
        details: { requestsPerSecond: limits.requestsPerSecond, burst: limits.requestBurst },
      });
    }
    if (this.inFlight < limits.maxPendingRequests) return undefined;
    return new RegistryError('limit_exceeded', `a connection may have at most ${limits.maxPendingRequests} requests running; wait for answers before sending more`, {
      details: { limit: limits.maxPendingRequests },
    });
  }

  private sendFrameError(dialect: Dialect, id: RequestId, error: FrameError): void {
    this.send([dialect.encodeFrameError(id, error.error)]);
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight > 0 || this.idle === undefined) return;
    const waiting = this.idle;
    this.idle = undefined;
    for (const resolve of waiting) resolve();
  }

  /** A peer that sends but does not read is cut off by the output (4008), never grown into server memory. */
  private send(frames: readonly Frame[]): void {
    this.options.output.send(frames.map((frame) => JSON.stringify(frame)));
  }
}
