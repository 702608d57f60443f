/**
 * DNS over TCP (RFC 7766): each message behind a two-byte length. One connection may send many
 * queries (pipelining); they are answered in order, at most `MAX_PENDING` read ahead before the
 * socket is paused, so a client that sends without reading holds bounded memory.
 */
import type { Socket } from 'node:net';

/** Queries read ahead of the one being answered before reading pauses. */
const MAX_PENDING = 16;
const LENGTH_BYTES = 2;

/** Answers one message; undefined sends nothing. */
export type MessageHandler = (message: Buffer) => Promise<Buffer | undefined>;

/** Reads length-prefixed messages from `socket` and writes each answer back, in order. */
export function serveTcpConnection(socket: Socket, handle: MessageHandler, onError: (error: unknown) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const queue: Buffer[] = [];
  let busy = false;

  const drain = async (): Promise<void> => {
    busy = true;
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
      if (queue.length < MAX_PENDING && socket.isPaused()) socket.resume();
      try {
        const answer = await handle(message);
        if (answer === undefined || socket.destroyed) continue;
        const length = Buffer.alloc(LENGTH_BYTES);
        length.writeUInt16BE(answer.length);
        socket.write(Buffer.concat([length, answer]));
      } catch (error) {
        onError(error);
        socket.destroy();
        return;
      }
    }
    busy = false;
  };

  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= LENGTH_BYTES) {
      const size = buffered.readUInt16BE(0);
      if (buffered.length < LENGTH_BYTES + size) break;
      queue.push(buffered.subarray(LENGTH_BYTES, LENGTH_BYTES + size));
      buffered = buffered.subarray(LENGTH_BYTES + size);
    }
    if (queue.length >= MAX_PENDING) socket.pause();
    if (!busy && queue.length > 0) void drain();
  });
}
