/**
 * Plain HTTPS requests to a test server's port (the read API, /metrics, /healthz), and a reader of
 * Server-Sent Events that parses the stream as the EventSource algorithm does.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { TestServer } from './test-server.js';
import { WaitingQueue } from './waiting-queue.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function open(srv: TestServer, path: string, options: HttpOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: srv.server.port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, ca: srv.caPem, agent: false },
      resolve,
    );
    req.once('error', reject);
    req.end();
  });
}

/** One request; the whole body as text. */
export async function fetchHttps(srv: TestServer, path: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const res = await open(srv, path, options);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
}

/** One Server-Sent Events message as EventSource dispatches it, with the last event id at that point. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  /** The `id:` of this message, if it had one. */
  readonly id: string | undefined;
  /** The stream's last event id once this message arrived (what EventSource would resume with). */
  readonly lastEventId: string;
}

export interface SseReader {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The next message; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseMessage>;
  /** Resolves once the server ended the stream. */
  readonly ended: Promise<void>;
  /** The response, to pause it (a reader that stops reading). */
  readonly response: IncomingMessage;
  close(): void;
}

/** Opens a stream; a status other than 200 comes back with `next` rejecting and the body in `errorBody`. */
export async function openSse(srv: TestServer, path: string, headers: Readonly<Record<string, string>> = {}): Promise<SseReader & { readonly errorBody: Promise<string> }> {
  const res = await open(srv, path, { headers: { accept: 'text/event-stream', ...headers } });
  const queue = new WaitingQueue<SseMessage>('event');
  let buffer = '';
  let fields: { event?: string; data: string[]; id?: string } = { data: [] };
  let lastEventId = '';
  const dispatch = (): void => {
    if (fields.id !== undefined) lastEventId = fields.id;
    if (fields.data.length > 0) {
      queue.push({ event: fields.event ?? 'message', data: fields.data.join('\n'), id: fields.id, lastEventId });
    }
    fields = { data: [] };
  };
  res.setEncoding('utf8');
  if (res.statusCode === 200) {
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (line === '') dispatch();
        else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const name = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') fields.event = value;
          else if (name === 'data') fields.data.push(value);
          else if (name === 'id') fields.id = value;
        }
      }
    });
  }
  const ended = new Promise<void>((resolve) => {
    res.once('end', () => resolve());
    res.once('close', () => resolve());
  });
  const errorBody =
    res.statusCode === 200
      ? Promise.resolve('')
      : (async () => {
          let text = '';
          for await (const chunk of res) text += String(chunk);
          return text;
        })();
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    response: res,
    ended,
    errorBody,
    next: (timeoutMs = 5_000) => queue.next(timeoutMs),
    close: () => res.destroy(),
  };
}
