/**
 * A WebSocket proxy that records what the server sends: the CLI connects to it (plain ws:// on
 * 127.0.0.1) and it relays every frame to the real server over TLS, so a test can compare what a
 * command printed with the wire answer of the very same call.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface RecordingProxy {
  readonly url: string;
  /** Every text frame the server sent, as sent, in order. */
  readonly received: string[];
  /** The `result` of the last action-envelope answer (`type: response`), parsed. */
  lastResult(): unknown;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string, ca: string | undefined): Promise<RecordingProxy> {
  const received: string[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (client) => {
    const pending: string[] = [];
    const upstreamSocket = new WebSocket(upstream, { ...(ca === undefined ? {} : { ca }) });
    upstreamSocket.on('open', () => pending.splice(0).forEach((text) => upstreamSocket.send(text)));
    upstreamSocket.on('message', (data) => {
      const text = String(data);
      received.push(text);
      client.send(text);
    });
    upstreamSocket.on('close', () => client.close());
    upstreamSocket.on('error', () => client.terminate());
    client.on('message', (data) => {
      if (upstreamSocket.readyState === WebSocket.OPEN) upstreamSocket.send(String(data));
      else pending.push(String(data));
    });
    client.on('close', () => upstreamSocket.close());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    received,
    lastResult: () => {
      const frames = received.map((text) => JSON.parse(text) as Record<string, unknown>).filter((f) => f.type === 'response');
      return frames.at(-1)?.result;
    },
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
