/**
 * What a connection owes its peer, and what the server holds for peers that do not read.
 *
 * Frames go to the socket whole (frame-writer.ts) while it takes them; once it pushes back, they
 * wait in this object's queue. That queue is what a cut can drop, so the close frame (4008
 * `slow_consumer`) is sent right behind what is already on its way, and a peer that reads on sees
 * it. A frame is checked against the limit before it is queued: a peer with answers unread gets
 * no more than `maxBufferedBytes`, and one answer larger than that only when nothing else is
 * unread. Every connection's unread bytes count in one server-wide budget; past it, the
 * connection holding the most is cut first.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { encodeFrames, type FramePayload, joinedPayload, preFramedTarget, rawSocket } from './frame-writer.js';
import type { Logger } from './log.js';

/** WebSocket close codes of a cut-off connection (4000-4999 is for applications). */
export const CUT_CLOSE_CODES = Object.freeze({ slow_consumer: 4008, resync_required: 4009 });
export type CutReason = keyof typeof CUT_CLOSE_CODES;

/** Unread bytes below which a waiting replay goes on: a replay never fills more than this ahead of its reader. */
const LOW_WATER_FRACTION = 8;

/** What the budget needs of a connection's output (a WebSocket's, or an event stream's over HTTP). */
export interface UnreadHolder {
  /** Bytes the peer has not taken yet. */
  readonly unread: number;
  readonly isCut: boolean;
  cut(reason: CutReason, detail: string): void;
  /** Drops the connection at once. */
  drop(): void;
}

/** Server-wide: the unread bytes of every connection, and who to cut when they are too many. */
export class UnreadBudget {
  private total = 0;
  private readonly holders = new Set<UnreadHolder>();

  constructor(
    /** The limit in force; a reload replaces it. */
    public maxTotalBytes: number,
    private readonly logger: Logger,
  ) {}

  get unread(): number {
    return this.total;
  }

  /** A connection's unread bytes moved by `delta`; past the budget, the largest holders are cut. */
  change(output: UnreadHolder, delta: number): void {
    this.total += delta;
    if (output.unread > 0) this.holders.add(output);
    else this.holders.delete(output);
    if (delta > 0 && this.total > this.maxTotalBytes) this.enforce();
  }

  private enforce(): void {
    // Each round cuts or drops one holder, so the loop ends; a holder with nothing unread ends it too.
    for (let rounds = this.holders.size * 2; this.total > this.maxTotalBytes && rounds > 0; rounds--) {
      let largest: UnreadHolder | undefined;
      for (const holder of this.holders) if (largest === undefined || holder.unread > largest.unread) largest = holder;
      if (largest === undefined || largest.unread === 0) return;
      this.logger.warn({ unread: largest.unread, total: this.total, limit: this.maxTotalBytes }, 'server-wide unread output over its limit: cutting the largest holder');
      // A connection already cut still holds what was on its way: only dropping the socket frees it.
      if (largest.isCut) largest.drop();
      else largest.cut('slow_consumer', `the server holds more than ${this.maxTotalBytes} bytes of unread output and this connection the most`);
    }
  }
}

/**
 * One connection's output. An idle connection costs this object and nothing more: the queue, the
 * waiters and the write callbacks are made when first needed, and the socket's close reaches it
 * through the server's one shared listener (`connectionClosed`), not a closure of its own.
 */
export class ConnectionOutput implements UnreadHolder {
  private queue: Buffer[] | undefined;
  private queuedBytes = 0;
  /** What this connection counts in the budget now. */
  private counted = 0;
  private cutReason: CutReason | undefined;
  private waiters: Array<() => void> | undefined;
  private callbacks: { readonly refresh: () => void; readonly flush: () => void } | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    private readonly budget: UnreadBudget,
    private readonly logger: Logger,
  ) {}

  /** The socket closed: what waits here is dropped, and the budget and any waiting replay hear of it. */
  connectionClosed(): void {
    this.queue = undefined;
    this.queuedBytes = 0;
    this.recount();
    this.wake();
  }

  /** The write callbacks, made at the first write (most connections never write). */
  private get on(): { readonly refresh: () => void; readonly flush: () => void } {
    return (this.callbacks ??= { refresh: () => this.recount(), flush: () => this.writeQueued() });
  }

  get isCut(): boolean {
    return this.cutReason !== undefined;
  }

  /** Bytes the peer has not taken yet: queued here and buffered in ws and the socket (none once it is destroyed). */
  get unread(): number {
    const raw = rawSocket(this.socket);
    return this.queuedBytes + (raw === undefined || raw.destroyed ? 0 : this.socket.bufferedAmount);
  }

  /** Sends frames in order as one write; false when the connection is cut or gone (they are dropped). */
  send(frames: readonly FramePayload[]): boolean {
    if (frames.length === 0) return !this.isCut;
    if (this.isCut || this.socket.readyState !== this.socket.OPEN) return false;
    const raw = preFramedTarget(this.socket);
    if (raw === undefined) return this.sendThroughWs(frames);
    const bytes = encodeFrames(frames);
    if (!this.hasRoomFor(bytes.length)) return false;
    const queue = this.queue;
    if ((queue === undefined || queue.length === 0) && !raw.writableNeedDrain) {
      raw.write(bytes, this.on.refresh);
    } else {
      if (queue === undefined || queue.length === 0) raw.once('drain', this.on.flush);
      (this.queue ??= []).push(bytes);
      this.queuedBytes += bytes.length;
    }
    this.recount();
    return !this.isCut;
  }

  /** A compressed connection (frame-writer.ts): ws frames, compresses and orders; the same limit applies to the bytes given. */
  private sendThroughWs(frames: readonly FramePayload[]): boolean {
    const payloads = frames.map(joinedPayload);
    if (!this.hasRoomFor(payloads.reduce((n, p) => n + Buffer.byteLength(p), 0))) return false;
    for (const payload of payloads) this.socket.send(payload, { binary: false }, this.on.refresh);
    this.recount();
    return !this.isCut;
  }

  /** False (and the connection cut) when `bytes` more would take a peer with output unread past its limit. */
  private hasRoomFor(bytes: number): boolean {
    const unread = this.unread;
    if (unread > 0 && unread + bytes > this.maxBufferedBytes) {
      this.cut('slow_consumer', `the peer stopped reading: ${unread} bytes are unread and the limit is ${this.maxBufferedBytes}`);
      return false;
    }
    return true;
  }

  /** Resolves once the peer has taken all but a little of what it owes (or the connection is gone): a replay waits here. */
  whenReadable(): Promise<void> {
    if (this.isCut || this.socket.readyState !== this.socket.OPEN || this.unread <= this.maxBufferedBytes / LOW_WATER_FRACTION) return Promise.resolve();
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  /**
   * Ends the connection for a reason the peer can act on: what waits here is dropped, the close
   * frame follows what is already on its way, and ws ends the socket once the peer answers it (or
   * after its close timeout). A peer that reads on sees the close code.
   */
  cut(reason: CutReason, detail: string): void {
    if (this.isCut) return;
    this.cutReason = reason;
    this.queue = undefined;
    this.queuedBytes = 0;
    this.recount();
    this.wake();
    this.logger.warn({ code: reason, reason: detail }, 'connection cut off');
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(CUT_CLOSE_CODES[reason], `${reason}: ${detail}`.slice(0, 120));
  }

  /** Drops the socket at once: only for a connection already cut whose unread output the server cannot keep. */
  drop(): void {
    this.socket.terminate();
    this.recount();
  }

  private writeQueued(): void {
    const raw: Socket | undefined = rawSocket(this.socket);
    if (raw === undefined || this.socket.readyState !== this.socket.OPEN) return;
    const queue = this.queue ?? [];
    while (queue.length > 0 && !raw.writableNeedDrain) {
      const bytes = queue.shift();
      if (bytes === undefined) break;
      this.queuedBytes -= bytes.length;
      raw.write(bytes, this.on.refresh);
    }
    if (queue.length > 0) raw.once('drain', this.on.flush);
    this.recount();
  }

  private recount(): void {
    const now = this.socket.readyState === this.socket.CLOSED ? 0 : this.unread;
    const delta = now - this.counted;
    this.counted = now;
    if (delta !== 0) this.budget.change(this, delta);
    if (this.waiters !== undefined && this.waiters.length > 0 && now <= this.maxBufferedBytes / LOW_WATER_FRACTION) this.wake();
  }

  private wake(): void {
    const waiting = this.waiters ?? [];
    this.waiters = undefined;
    for (const resolve of waiting) resolve();
  }
}
