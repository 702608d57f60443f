import type { WebSocket } from 'ws';
import type { Logger } from './log.js';

/**
 * Pings every connection at half the idle timeout and drops the ones that showed no sign of
 * life (a frame or a pong) since the previous round: a peer that vanished without a FIN is gone
 * within one idle timeout. The timer is this object's; `close()` clears it.
 *
 * The listeners are shared by every connection (an emitter calls them with the socket as
 * `this`), so watching a connection costs a map entry, not closures and wrappers of its own.
 */
export class Heartbeat {
  /** Each watched socket and its remote address, for the log line when it is dropped. */
  private readonly peers = new Map<WebSocket, string | undefined>();
  /** Sockets pinged in the last round that showed no life since. */
  private readonly quiet = new Set<WebSocket>();
  private timer: NodeJS.Timeout | undefined;
  private idleTimeoutMs: number;
  private readonly markAlive: (this: WebSocket) => void;
  private readonly forget: (this: WebSocket) => void;

  constructor(
    idleTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    const { peers, quiet } = this;
    this.markAlive = function markAlive(this: WebSocket): void {
      quiet.delete(this);
    };
    this.forget = function forget(this: WebSocket): void {
      peers.delete(this);
      quiet.delete(this);
    };
    this.idleTimeoutMs = idleTimeoutMs;
    this.arm();
  }

  /** A reload's idle timeout: the rounds go at its pace from now on; 0 stops them (connections already watched stay listed). */
  setIdleTimeout(idleTimeoutMs: number): void {
    if (idleTimeoutMs === this.idleTimeoutMs) return;
    this.idleTimeoutMs = idleTimeoutMs;
    clearInterval(this.timer);
    this.quiet.clear();
    this.arm();
  }

  private arm(): void {
    const ms = this.idleTimeoutMs;
    this.timer = ms > 0 ? setInterval(() => this.round(), Math.max(1, Math.floor(ms / 2))) : undefined;
    this.timer?.unref();
  }

  watch(socket: WebSocket, remoteAddress: string | undefined): void {
    this.peers.set(socket, remoteAddress);
    socket.on('pong', this.markAlive);
    socket.on('message', this.markAlive);
    // 'close' comes once; `on` spares the wrapper that `once` makes for each connection.
    socket.on('close', this.forget);
  }

  close(): void {
    clearInterval(this.timer);
    this.peers.clear();
    this.quiet.clear();
  }

  private round(): void {
    for (const [socket, remoteAddress] of this.peers) {
      if (this.quiet.has(socket)) {
        this.logger.info({ remoteAddress }, 'connection dropped: no frame or pong within the idle timeout');
        this.peers.delete(socket);
        this.quiet.delete(socket);
        socket.terminate();
        continue;
      }
      this.quiet.add(socket);
      try {
        socket.ping();
      } catch {
        // The socket is closing; its close event removes it.
      }
    }
  }
}
