import WebSocket from 'ws';

export interface SocketOptions {
  /** The CA the server certificate chains to. */
  readonly ca: string;
}

/** Opens a TLS WebSocket and resolves once it is open. */
export function openSocket(url: string, options: SocketOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ca: options.ca, perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Opens `count` sockets, at most `parallel` handshakes at a time (the accept backlog is finite). */
export async function openSockets(url: string, count: number, options: SocketOptions, parallel = 64): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      sockets.push(await openSocket(url, options));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
  } catch (error) {
    for (const socket of sockets) socket.terminate();
    throw error;
  }
  return sockets;
}

export interface Reply {
  readonly text: string;
  readonly bytes: number;
  readonly ms: number;
}

/** Sends one frame and waits for the next frame the socket receives (one request in flight). */
export function roundTrip(socket: WebSocket, frame: string, timeoutMs = 120_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData): void => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      resolve({ text: buffer.toString('utf8'), bytes: buffer.length, ms });
    };
    socket.once('message', onMessage);
    socket.send(frame);
  });
}

/** Closes sockets and waits until each has closed (or was terminated). */
export async function closeSockets(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          const timer = setTimeout(() => socket.terminate(), 2_000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close();
        }),
    ),
  );
}

/** Sends `count` requests on one socket, at most `inFlight` unanswered; resolves with each reply text, in order. */
export function callMany(socket: WebSocket, count: number, frame: (i: number) => string, inFlight = 64): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const replies: string[] = new Array<string>(count);
    let sent = 0;
    let answered = 0;
    const onMessage = (data: WebSocket.RawData): void => {
      const text = data.toString();
      const id = /"id":"([^"]*)"/.exec(text)?.[1];
      if (id === undefined) return;
      replies[Number(id)] = text;
      answered++;
      if (answered === count) {
        socket.off('message', onMessage);
        resolve(replies);
      } else if (sent < count) socket.send(frame(sent++));
    };
    socket.on('message', onMessage);
    socket.once('close', () => reject(new Error(`the socket closed after ${answered} of ${count} answers`)));
    if (count === 0) return resolve(replies);
    while (sent < Math.min(count, inFlight)) socket.send(frame(sent++));
  });
}
