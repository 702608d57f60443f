import type { WebSocket } from 'ws';
import { RegistryError } from '../domain/index.js';

import { type Dialect, dialects, type Frame, FrameError, parseFrame, type RequestId } from '../protocol/index.js';
import type { Caller, Runner } from './runner.js';
import type { ConnectionStreams } from './event-streams.js';
import type { Clock } from '../domain/index.js';

export interface SessionOptions {
  readonly socket: WebSocket;
  readonly caller: Caller;
  readonly streams: ConnectionStreams;
  readonly runner: Runner;
  readonly clock: Clock;
  readonly maxFrameBytes: number;
}

/**
 * One connection: reads frames, runs them, answers in the dialect each frame used. A frame
 * that cannot be read is answered in the dialect the connection last used (JSON-RPC before any).
 */
export class Session {
  private lastDialect: Dialect = dialects.jsonrpc;
  private inFlight = 0;
  private readonly idle: Array<() => void> = [];

  constructor(private readonly options: SessionOptions) {
    options.socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
  }

  /** Resolves once no request of this connection is running. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private onMessage(data: import('ws').RawData, isBinary: boolean): void {
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
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    this.handleText(text);
  }

  private handleText(text: string): void {
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
    if (decoded.kind === 'reply') {
      this.send(decoded.frames);
      return;
    }
    const { call } = decoded;
    this.inFlight++;
    void this.options.runner
      .run(call, this.options.caller, this.options.streams.hostFor(parsed.dialect))
      .then((outcome) => this.send(parsed.dialect.encode(call, outcome, this.options.clock.now())))
      .finally(() => this.settle());
  }

  private sendFrameError(dialect: Dialect, id: RequestId, error: FrameError): void {
    this.send([dialect.encodeFrameError(id, error.error)]);
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private send(frames: readonly Frame[]): void {
    const { socket } = this.options;
    if (socket.readyState !== socket.OPEN) return;
    for (const frame of frames) socket.send(JSON.stringify(frame));
  }
}
