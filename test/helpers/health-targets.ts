/**
 * Real servers for health checks to probe, on 127.0.0.1 with an OS-picked port: an HTTP server
 * (answers as the test says), a TCP listener and a WebSocket JSON-RPC server. Each can be
 * stopped and started again on the same port, and remembers who asked what.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { RegistryClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from './test-server.js';

export interface SeenProbe {
  readonly path: string;
  readonly userAgent: string;
  /** What the target answered (HTTP status; 0 for TCP and WebSocket). */
  readonly status: number;
}

export interface Target {
  readonly port: number;
  /** Every probe seen, oldest first. */
  readonly seen: SeenProbe[];
  /** Closes the listener and every open connection: the port refuses until `start`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface HttpTarget extends Target {
  readonly url: string;
  /** The status answered from now on (200 by default), and the body. */
  answer(status: number, body?: string): void;
  /** Holds each answer this long from now on (0 by default). */
  delay(ms: number): void;
  /** The most requests it ever had in flight at once: in all, and for any one path. */
  readonly maxInFlight: { readonly all: number; readonly perPath: number };
}

type Closable = HttpServer | TcpServer;

function listen(server: Closable, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Wraps a server factory into start/stop on one port; every socket is tracked so stop really closes. */
async function controlled(make: () => Closable, onStop: () => void = () => undefined): Promise<Omit<Target, 'seen'>> {
  const sockets = new Set<Socket>();
  let server: Closable | undefined;
  let port = 0;
  const start = async (): Promise<void> => {
    const next = make();
    next.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    port = await listen(next, port);
    server = next;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    onStop();
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await start();
  return { port, start, stop, close: stop };
}

export async function startHttpTarget(): Promise<HttpTarget> {
  const seen: SeenProbe[] = [];
  let status = 200;
  let body = 'ok';
  let holdMs = 0;
  const inFlight = new Map<string, number>();
  const max = { all: 0, perPath: 0 };
  const handle = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    const path = req.url ?? '';
    seen.push({ path, userAgent: req.headers['user-agent'] ?? '', status });
    inFlight.set(path, (inFlight.get(path) ?? 0) + 1);
    const all = [...inFlight.values()].reduce((a, b) => a + b, 0);
    max.all = Math.max(max.all, all);
    max.perPath = Math.max(max.perPath, inFlight.get(path) ?? 0);
    const [answerStatus, answerBody] = [status, body];
    const finish = (): void => {
      inFlight.set(path, (inFlight.get(path) ?? 1) - 1);
      res.writeHead(answerStatus, { 'content-type': 'text/plain' }).end(answerBody);
    };
    if (holdMs > 0) setTimeout(finish, holdMs);
    else finish();
  };
  const control = await controlled(() => createHttpServer(handle));
  return {
    ...control,
    seen,
    url: `http://127.0.0.1:${control.port}`,
    answer: (next, text = next < 300 ? 'ok' : 'failing') => {
      status = next;
      body = text;
    },
    delay: (ms) => {
      holdMs = ms;
    },
    maxInFlight: max,
  };
}

export async function startTcpTarget(): Promise<Target> {
  const seen: SeenProbe[] = [];
  const control = await controlled(() =>
    createTcpServer((socket) => {
      seen.push({ path: '', userAgent: '', status: 0 });
      socket.end();
    }),
  );
  return { ...control, seen };
}

/** A WebSocket server that answers JSON-RPC requests with `{result: {method}}`, or an error for method "fail". */
export async function startWsTarget(): Promise<Target & { readonly url: string }> {
  const seen: SeenProbe[] = [];
  let wss: WebSocketServer | undefined;
  const make = (): HttpServer => {
    const http = createHttpServer((_req, res) => res.writeHead(426).end());
    wss = new WebSocketServer({ server: http });
    wss.on('connection', (socket, req) => {
      seen.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] ?? '', status: 0 });
      socket.on('message', (data) => {
        const request = JSON.parse(String(data)) as { id: unknown; method: string };
        // A notification first, as a Plexus hub streams: the probe must wait for its own answer.
        socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'note', params: {} }));
        const answer = request.method === 'fail' ? { error: { code: -32000, message: 'failing' } } : { result: { method: request.method } };
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, ...answer }));
      });
    });
    return http;
  };
  const control = await controlled(make, () => {
    for (const client of wss?.clients ?? []) client.terminate();
    wss?.close();
  });
  return { ...control, seen, url: `ws://127.0.0.1:${control.port}` };
}

/** A registry server, a client of it, and an HTTP target for its checks; `close` stops all three. */
export interface ServerWithTarget {
  readonly srv: TestServer;
  readonly client: RegistryClient;
  readonly target: HttpTarget;
  close(): Promise<void>;
}

export async function startServerWithTarget(): Promise<ServerWithTarget> {
  const srv = await startTestServer();
  const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
  const target = await startHttpTarget();
  return {
    srv,
    client,
    target,
    close: async () => {
      await client.close();
      await srv.close();
      await target.close();
    },
  };
}
