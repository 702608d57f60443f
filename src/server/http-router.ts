/**
 * The plain HTTP requests of the one port (WebSocket upgrades never come here: Node hands them to
 * `ws` as 'upgrade' events). Routes are exact paths or prefixes (`/v1/`, and later `/ui/`); each
 * may carry headers every answer of it gets (a Content-Security-Policy for pages). GET and HEAD
 * only, unless a route says otherwise; HEAD answers what GET would, without the body.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RegistryError } from '../domain/index.js';
import { encodeHttpError } from '../protocol/index.js';
import type { Logger } from './log.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface HttpRoute {
  /** An exact path (`/metrics`), or with `prefix` every path that starts with it (`/v1/`). */
  readonly path: string;
  readonly prefix?: boolean;
  /** @default ['GET', 'HEAD'] */
  readonly methods?: readonly string[];
  /** Headers every answer of the route carries, errors included (a page's Content-Security-Policy). */
  readonly headers?: OutgoingHttpHeaders;
  readonly handle: RouteHandler;
}

const READ_METHODS: readonly string[] = ['GET', 'HEAD'];

/** Headers of every answer: never cached, never sniffed into another type. */
const BASE_HEADERS: OutgoingHttpHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** A JSON body with its length (kept on HEAD, whose body Node leaves out). */
export function sendJson(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers }).end(body);
}

/** An error as the read API answers it: the action envelope's error object, with a fitting status (and what a client needs to act on it). */
export function sendError(res: ServerResponse, error: RegistryError): void {
  const { status, body } = encodeHttpError(error);
  const extra: OutgoingHttpHeaders = {};
  if (status === 401) extra['www-authenticate'] = 'Bearer realm="registry"';
  if (status === 429 || status === 503) extra['retry-after'] = '1';
  sendJson(res, status, body, extra);
}

/** The error code a refused credential check answers with, by its HTTP status. */
export function refusalError(refusal: { readonly status: number; readonly reason: string }): RegistryError {
  const code = refusal.status === 401 ? 'unauthorized' : refusal.status === 403 ? 'forbidden' : refusal.status === 503 ? 'unavailable' : refusal.status === 429 ? 'rate_limited' : 'invalid_params';
  return new RegistryError(code, refusal.reason);
}

export class HttpRouter {
  private readonly exact = new Map<string, HttpRoute>();
  /** Longest prefix first. */
  private prefixes: HttpRoute[] = [];

  constructor(private readonly logger: Logger) {}

  /** Adds a route; a path served twice is a wiring fault and throws. */
  add(route: HttpRoute): this {
    const taken = route.prefix === true ? this.prefixes.some((r) => r.path === route.path) : this.exact.has(route.path);
    if (taken) throw new RegistryError('internal', `the HTTP path ${route.path} is routed twice`);
    if (route.prefix === true) this.prefixes = [...this.prefixes, route].sort((a, b) => b.path.length - a.path.length);
    else this.exact.set(route.path, route);
    return this;
  }

  /** For the listener: every plain HTTP request. A handler that throws answers 500 and never crashes the server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://registry.invalid');
    } catch {
      sendError(res, new RegistryError('invalid_params', 'the request target is not a valid path'));
      return;
    }
    const route = this.exact.get(url.pathname) ?? this.prefixes.find((r) => url.pathname.startsWith(r.path));
    if (route === undefined) {
      sendError(res, new RegistryError('not_found', `no such path: ${url.pathname.slice(0, 128)}`, { details: { path: url.pathname.slice(0, 128) } }));
      return;
    }
    for (const [name, value] of Object.entries(route.headers ?? {})) if (value !== undefined) res.setHeader(name, value);
    const methods = route.methods ?? READ_METHODS;
    if (!methods.includes(req.method ?? '')) {
      const error = new RegistryError('invalid_params', `method ${String(req.method).slice(0, 16)} is not allowed on ${route.path}; use ${methods.join(' or ')}`);
      sendJson(res, 405, encodeHttpError(error).body, { allow: methods.join(', ') });
      return;
    }
    const failed = (err: unknown): void => {
      const requestId = randomUUID();
      if (!res.headersSent) sendError(res, new RegistryError('internal', `internal error (request ${requestId})`, { details: { request_id: requestId } }));
      else res.destroy();
      this.logger.error({ err, requestId, path: url.pathname.slice(0, 128) }, 'HTTP request failed unexpectedly');
    };
    try {
      const done = route.handle(req, res, url);
      if (done instanceof Promise) done.catch(failed);
    } catch (err) {
      failed(err);
    }
  };
}
