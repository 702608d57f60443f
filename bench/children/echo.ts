/**
 * The ceiling: a raw `ws` server over the same TLS certificate as the registry, answering every
 * frame at once with a canned reply of the registry's size for that workload. No parsing, no
 * store: what is left is TLS, WebSocket framing and the event loop.
 * `node --import tsx bench/children/echo.ts <spec.json>` where the spec is
 * `{"cert": path, "key": path, "replies": {"/register": text, "/get": text, …}, "event": [text, …]}`;
 * the URL path a client connects to picks its reply. Prints `{"port","pid"}` once listening.
 *
 * On `/broadcast` it is the fan-out ceiling: a `subscribe` frame is answered and its socket joins
 * the subscribers; a `register` frame is answered and broadcast at once to every subscriber as the
 * registry's event frame (`event`: its text split around the revision and the writer's
 * `bench_t`, which are filled in). No store, no commit, no filter: one write per subscriber.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

interface EchoSpec {
  readonly cert: string;
  readonly key: string;
  readonly replies: Readonly<Record<string, string>>;
  /** The registry's event frame in pieces: text, revision, text, bench_t, text. */
  readonly event?: readonly [string, string, string];
}

/** `text` as one final, unmasked WebSocket text frame (RFC 6455 §5.2), what a server sends; under 64 KiB. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 65_536) throw new Error('an event frame of 64 KiB or more');
  const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The broadcast side of the ceiling: what a subscriber or the writer sends, answered at once. */
function broadcaster(event: readonly [string, string, string]) {
  const subscribers = new Set<WebSocket>();
  let revision = 0;
  const idOf = (text: string): string => /"id":"([^"]*)"/.exec(text)?.[1] ?? '';
  return (socket: WebSocket): void => {
    socket.on('close', () => subscribers.delete(socket));
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"action":"subscribe"')) {
        subscribers.add(socket);
        socket.send(`{"id":"${idOf(text)}","type":"response","result":{"subscribed":true}}`);
        return;
      }
      revision++;
      const sentAt = /"bench_t":"([0-9.]+)"/.exec(text)?.[1] ?? '0';
      // Framed once, and the same bytes written to every subscriber's socket: the least work a broadcast can do.
      const frame = textFrame(`${event[0]}${revision}${event[1]}${sentAt}${event[2]}`);
      for (const subscriber of subscribers) (Reflect.get(subscriber, '_socket') as Socket).write(frame);
      socket.send(`{"id":"${idOf(text)}","type":"response","result":{"revision":${revision}}}`);
    });
  };
}

async function main(specPath: string): Promise<void> {
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as EchoSpec;
  const [cert, key] = await Promise.all([readFile(spec.cert, 'utf8'), readFile(spec.key, 'utf8')]);
  const http = createServer({ cert, key, minVersion: 'TLSv1.2' });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const broadcast = spec.event === undefined ? undefined : broadcaster(spec.event);
  wss.on('connection', (socket, req) => {
    if (req.url === '/broadcast' && broadcast !== undefined) return broadcast(socket);
    const reply = spec.replies[req.url ?? '/'] ?? '{}';
    socket.on('message', () => socket.send(reply));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const stop = (): void => {
    process.stdin.destroy();
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.close();
  };
  process.once('SIGTERM', stop);
  process.stdin.once('close', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ port: (http.address() as AddressInfo).port, pid: process.pid })}\n`);
}

const specPath = process.argv[2];
if (specPath === undefined) {
  process.stderr.write('usage: echo.ts <spec.json>\n');
  process.exitCode = 2;
} else {
  main(specPath).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
