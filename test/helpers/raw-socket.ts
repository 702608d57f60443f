import { WebSocket } from 'ws';
import { WaitingQueue } from './waiting-queue.js';

/** A plain WebSocket (not the client library): sends exact frames and reads answers in order. */
export interface RawSocket {
  send(frame: unknown): void;
  sendText(text: string): void;
  /** The next answer, parsed; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The next `count` answers. */
  take(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  readonly socket: WebSocket;
  close(): Promise<void>;
}

export async function openRawSocket(url: string, ca: string | undefined, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(url, { ...(ca === undefined ? {} : { ca }), headers, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  const queue = new WaitingQueue<Record<string, unknown>>('frame');
  socket.on('message', (data) => queue.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = (timeoutMs = 5_000): Promise<Record<string, unknown>> => queue.next(timeoutMs);
  return {
    socket,
    send: (frame) => socket.send(JSON.stringify(frame)),
    sendText: (text) => socket.send(text),
    next,
    take: async (count, timeoutMs) => {
      const frames: Record<string, unknown>[] = [];
      for (let i = 0; i < count; i++) frames.push(await next(timeoutMs));
      return frames;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
