/**
 * A tiny TLS WebSocket server whose answers each test scripts: it speaks no protocol of its
 * own, so client behaviour (correlation, errors, timeouts, closing) can be driven exactly.
 * TLS material is the server's own: a local CA and certificate under a temporary data folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { certificateFingerprint, ensureServerCertificates } from '../../src/server/index.js';

/** A request frame as the client sent it. */
export interface SeenRequest {
  readonly id: string;
  readonly action: string;
  readonly params: unknown;
}

export type ScriptedHandler = (request: SeenRequest, socket: WebSocket) => void;

export interface ScriptedServerOptions {
  /** Answers each request; the default answers nothing. */
  readonly onRequest?: ScriptedHandler;
  /** Refuses the upgrade with this HTTP status and body. */
  readonly refuse?: { readonly status: number; readonly body: string };
}

export interface ScriptedServer {
  readonly url: string;
  readonly caPem: string;
  /** SHA-256 of the server certificate, colon hex. */
  readonly fingerprint: string;
  /** Open server-side sockets. */
  readonly sockets: ReadonlySet<WebSocket>;
  /** Every frame received, parsed, oldest first. */
  readonly frames: readonly unknown[];
  /** Upgrade requests as received (headers included). */
  readonly upgrades: readonly IncomingMessage[];
  /** Resolves with the next connection's server-side socket. */
  nextConnection(): Promise<WebSocket>;
  close(): Promise<void>;
}

/** A service record as the wire has it (hub2 at 10.0.0.5:4444), with `fields` over it. */
export const wireService = (fields: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({ ...WIRE_SERVICE, ...fields });

const WIRE_SERVICE = {
  id: '0b6c1f9e-0000-4000-8000-000000000001',
  name: 'hub2',
  host: '10.0.0.5',
  port: 4444,
  protocol: 'ws',
  source: 'manual',
  is_active: true,
  registered_at: 1_732_233_600,
  last_seen: 1_732_233_660,
  created_at: 1_732_233_600,
  updated_at: 1_732_233_660,
  tags: [],
  metadata: {},
  location: { type: 'local' },
  addresses: {},
  endpoints: [],
  state: 'registered',
  depends_on: [],
  ttl_seconds: 90,
  last_state_change: 1_732_233_600,
  revision: 7,
};

/** Answers `{"id","type":"response","result"}` on `socket`. */
export const answer = (socket: WebSocket, id: string, result: unknown): void =>
  socket.send(JSON.stringify({ id, type: 'response', result }));

/** Answers `{"id","type":"response","error"}` on `socket`. */
export const answerError = (socket: WebSocket, id: string, error: Record<string, unknown>): void =>
  socket.send(JSON.stringify({ id, type: 'response', error }));

function parseRequest(value: unknown): SeenRequest {
  if (typeof value !== 'object' || value === null) throw new Error(`not a request: ${String(value)}`);
  const frame = value as Record<string, unknown>;
  return { id: String(frame.id), action: String(frame.action), params: frame.params };
}

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-client-test-'));
  const tls = await ensureServerCertificates({ dataDir });
  const http: Server = createServer({ cert: tls.certPem, key: tls.keyPem });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const upgrades: IncomingMessage[] = [];
  const frames: unknown[] = [];
  const waiting: Array<(socket: WebSocket) => void> = [];
  http.on('upgrade', (request: IncomingMessage, socket, head) => {
    upgrades.push(request);
    if (options.refuse !== undefined) {
      const { status, body } = options.refuse;
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const frame: unknown = JSON.parse(data.toString());
        frames.push(frame);
        options.onRequest?.(parseRequest(frame), ws);
      });
      waiting.shift()?.(ws);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `wss://127.0.0.1:${port}`,
    caPem: tls.caPem,
    fingerprint: certificateFingerprint(tls.certPem),
    sockets,
    frames,
    upgrades,
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
