/**
 * Writes WebSocket text frames straight to a connection's socket, several frames as one buffer.
 *
 * `ws` sends each message as two writes (header, then payload) that Node copies together again
 * before TLS encrypts them. Building the whole frame in one buffer, and all the frames one turn
 * owes a connection in one buffer, makes each batch one write, one TLS record and one syscall;
 * the shared part of an event frame is copied in as bytes rather than encoded again for every
 * subscriber. This is sound because `ws` writes every frame of its own (pings, pongs, close)
 * whole and at once when permessage-deflate is off, and because `ws` counts bytes queued on the
 * socket in `bufferedAmount`, so the limits still see them.
 *
 * A connection that negotiated permessage-deflate never gets a pre-framed write: `ws` compresses
 * a message asynchronously and queues whatever is sent behind it, so bytes written straight to
 * the socket could overtake a compressed message still in the deflater (an uncompressed frame is
 * valid there, its RSV1 bit clear, but out of order). Its frames go through `ws.send`, which
 * keeps them in order and compresses those above its threshold.
 */
import { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** A frame's payload: a text, or pieces (text or UTF-8 bytes) that are written one after the other. */
export type FramePayload = string | readonly (string | Buffer)[];

/** FIN + text opcode; server frames are never masked. */
const FIN_TEXT = 0x81;

/** The connection's network socket, when `ws` exposes it. */
export function rawSocket(socket: WebSocket): Socket | undefined {
  const raw: unknown = Reflect.get(socket, '_socket');
  return raw instanceof Socket ? raw : undefined;
}

/** The socket to write pre-framed bytes to: undefined when `ws` must frame them itself (compression, or no socket exposed). */
export function preFramedTarget(socket: WebSocket): Socket | undefined {
  if (socket.extensions.includes('permessage-deflate')) return undefined;
  const raw = rawSocket(socket);
  return raw?.writable === true ? raw : undefined;
}

/** One payload as what `ws.send` takes: a string, or its pieces joined as UTF-8 bytes. */
export const joinedPayload = (payload: FramePayload): string | Buffer =>
  typeof payload === 'string' ? payload : Buffer.concat(payload.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

const byteLength = (piece: string | Buffer): number => (typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length);

function payloadLength(payload: FramePayload): number {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  let total = 0;
  for (const piece of payload) total += byteLength(piece);
  return total;
}

const headerLength = (length: number): number => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

function writeHeader(target: Buffer, offset: number, length: number): number {
  target[offset] = FIN_TEXT;
  if (length < 126) {
    target[offset + 1] = length;
    return offset + 2;
  }
  if (length < 65_536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
    return offset + 4;
  }
  target[offset + 1] = 127;
  target.writeUInt32BE(Math.floor(length / 2 ** 32), offset + 2);
  target.writeUInt32BE(length >>> 0, offset + 6);
  return offset + 10;
}

function writePiece(target: Buffer, offset: number, piece: string | Buffer): number {
  if (typeof piece === 'string') return offset + target.write(piece, offset, 'utf8');
  return offset + piece.copy(target, offset);
}

/** One text frame as wire bytes. */
function encodeText(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(headerLength(length) + length);
  out.write(text, writeHeader(out, 0, length), 'utf8');
  return out;
}

/** The frames as wire bytes, in one buffer. */
export function encodeFrames(frames: readonly FramePayload[]): Buffer {
  const only = frames.length === 1 ? frames[0] : undefined;
  if (typeof only === 'string') return encodeText(only);
  const lengths = frames.map(payloadLength);
  const total = lengths.reduce((sum, length) => sum + headerLength(length) + length, 0);
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  frames.forEach((payload, i) => {
    offset = writeHeader(out, offset, lengths[i] ?? 0);
    if (typeof payload === 'string') offset = writePiece(out, offset, payload);
    else for (const piece of payload) offset = writePiece(out, offset, piece);
  });
  return out;
}

/**
 * Sends text frames in order as one write. The caller checks that the socket is open; frames
 * offered to a socket that is not are dropped, as `ws` would drop them.
 */
export function sendFrames(socket: WebSocket, frames: readonly FramePayload[]): void {
  if (frames.length === 0 || socket.readyState !== socket.OPEN) return;
  const raw = preFramedTarget(socket);
  if (raw === undefined) {
    for (const payload of frames) socket.send(joinedPayload(payload), { binary: false });
    return;
  }
  raw.write(encodeFrames(frames));
}
