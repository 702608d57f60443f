import type { WebSocket } from 'ws';
import type { Logger } from './log.js';

/**
 * Pings every connection at half the idle timeout and drops the ones that showed no sign of
 * life (a frame or a pong) since the previous round: a peer that vanished without a FIN is gone
 * within one idle timeout. The timer is this object's; `close()` clears it.
 */
export class Heartbeat {
  private readonly peers = new Map<WebSocket, { alive: boolean; readonly remoteAddress: string | undefined }>();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    idleTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = idleTimeoutMs > 0 ? setInterval(() => this.round(), Math.max(1, Math.floor(idleTimeoutMs / 2))) : undefined;
    this.timer?.unref();
  }

  watch(socket: WebSocket, remoteAddress: string | undefined): void {
    if (this.timer === undefined) return;
    const peer = { alive: true, remoteAddress };
    this.peers.set(socket, peer);
    const live = (): void => {
      peer.alive = true;
    };
    socket.on('pong', live);
    socket.on('message', live);
    socket.once('close', () => this.peers.delete(socket));
  }

  close(): void {
    clearInterval(this.timer);
    this.peers.clear();
  }

  private round(): void {
    for (const [socket, peer] of this.peers) {
      if (!peer.alive) {
        this.logger.info({ remoteAddress: peer.remoteAddress }, 'connection dropped: no frame or pong within the idle timeout');
        this.peers.delete(socket);
        socket.terminate();
        continue;
      }
      peer.alive = false;
      try {
        socket.ping();
      } catch {
        // The socket is closing; its close event removes it.
      }
    }
  }
}

