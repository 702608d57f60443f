/**
 * The ceiling: a raw `ws` server over the same TLS certificate as the registry, answering every
 * frame at once with a canned reply of the registry's size for that workload. No parsing, no
 * store: what is left is TLS, WebSocket framing and the event loop.
 * `node --import tsx bench/children/echo.ts <spec.json>` where the spec is
 * `{"cert": path, "key": path, "replies": {"/register": text, "/get": text, …}}`;
 * the URL path a client connects to picks its reply. Prints `{"port","pid"}` once listening.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

interface EchoSpec {
  readonly cert: string;
  readonly key: string;
  readonly replies: Readonly<Record<string, string>>;
}

async function main(specPath: string): Promise<void> {
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as EchoSpec;
  const [cert, key] = await Promise.all([readFile(spec.cert, 'utf8'), readFile(spec.key, 'utf8')]);
  const http = createServer({ cert, key, minVersion: 'TLSv1.2' });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (socket, req) => {
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
