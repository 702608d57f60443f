import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Absent means plaintext (only ever with insecure loopback). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Frames above this close the connection (code 1009); frames above the soft limit get an error answer instead. */
  readonly hardFrameLimit: number;
  readonly health: () => Readonly<Record<string, unknown>>;
}

export interface Listener {
  readonly http: Server;
  readonly wss: WebSocketServer;
  readonly port: number;
}

/** One port: HTTPS for `GET /healthz`, WebSocket upgrade for everything else. */
export async function listen(options: ListenerOptions): Promise<Listener> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url?.startsWith('/healthz?'))) {
      const body = JSON.stringify({ status: 'ok', ...options.health() });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      return;
    }
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('this endpoint speaks WebSocket; see GET /healthz\n');
  };
  const http = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : createHttpServer(onRequest);
  const wss = new WebSocketServer({ server: http, maxPayload: options.hardFrameLimit, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  return { http, wss, port };
}
