/**
 * Serving the HTTP read API (src/protocol/http.ts decodes and encodes it): each request's
 * credentials as an upgrade's are judged (bearer token, client certificate, loopback; a browser
 * never holds the loopback role), a rate limit per connection like a WebSocket's, the call run by
 * the same Runner as every dialect, and `GET /v1/events` streamed as Server-Sent Events.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { asRevision, type Clock, RegistryError, roleAllows } from '../domain/index.js';
import type { StreamHost } from '../operations/index.js';
import { type Call, decodeHttpCall, HTTP_API_PREFIX, lastEventRevision } from '../protocol/index.js';
import type { AuthGate } from './auth-gate.js';
import { callerOf, type ConnectionAuth } from './auth-connection.js';
import type { UnreadBudget } from './connection-output.js';
import type { EventHub } from './event-hub.js';
import { type HttpRoute, refusalError, sendError, sendJson } from './http-router.js';
import { TokenBucket } from './limits.js';
import { type Caller, NO_STREAMS, type Runner } from './runner.js';
import type { SessionLimits } from './session.js';
import { SseStream } from './sse-stream.js';

export interface HttpApiDeps {
  readonly gate: AuthGate;
  readonly runner: Runner;
  readonly events: EventHub;
  readonly budget: UnreadBudget;
  readonly limits: SessionLimits;
  readonly clock: Clock;
  /** The last committed revision: sent as `x-registry-revision`, read before the call (the answer is at least that new). */
  readonly revision: () => number;
}

/** `subscribe` on HEAD: checked like a GET, but nothing streams. */
const PROBE_STREAMS: StreamHost = { held: 0, limit: 1, open: () => ({ subscription: '', revision: asRevision(0) }), close: () => false };

/** The route of the whole read API (`/v1/…`). */
export function httpApiRoute(deps: HttpApiDeps): HttpRoute {
  const buckets = new WeakMap<Socket, TokenBucket>();
  /** Every request takes a token of its connection's bucket, as every WebSocket frame does. */
  const limited = (req: IncomingMessage): boolean => {
    const now = deps.clock.now();
    let bucket = buckets.get(req.socket);
    if (bucket === undefined) buckets.set(req.socket, (bucket = new TokenBucket(deps.limits.requestsPerSecond, deps.limits.requestBurst, now)));
    return !bucket.take(now);
  };
  return {
    path: HTTP_API_PREFIX,
    prefix: true,
    handle: async (req, res, url) => {
      const verdict = deps.gate.authorize(req);
      if (!verdict.ok) return sendError(res, refusalError(verdict));
      if (limited(req)) {
        const { requestsPerSecond, requestBurst } = deps.limits;
        return sendError(res, new RegistryError('rate_limited', `too many requests on this connection (at most ${requestsPerSecond} per second, bursts of ${requestBurst}); slow down and retry`));
      }
      let call: Call;
      try {
        call = decodeHttpCall(req.method ?? 'GET', url);
      } catch (error) {
        if (error instanceof RegistryError) return sendError(res, error);
        throw error;
      }
      const { auth } = verdict;
      const caller = callerOf(req, auth);
      if (call.op === 'subscribe') return streamEvents(deps, { req, res, call, caller, auth });
      const revision = deps.revision();
      const outcome = await deps.runner.run(call, caller, NO_STREAMS);
      if (!outcome.ok) return sendError(res, outcome.error);
      sendJson(res, 200, JSON.stringify(outcome.value.result), { 'x-registry-revision': String(revision) });
    },
  };
}

interface EventRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly call: Call;
  readonly caller: Caller;
  readonly auth: ConnectionAuth;
}

/**
 * `subscribe` with the query's filters; `Last-Event-ID: N` (what EventSource sends when it
 * reconnects) starts after revision N, as `since_revision=N+1` would. Its answer opens the stream.
 */
async function streamEvents(deps: HttpApiDeps, request: EventRequest): Promise<void> {
  const { req, res, call, caller, auth } = request;
  const header = req.headers['last-event-id'];
  const after = lastEventRevision(Array.isArray(header) ? header[0] : header);
  const input: Record<string, unknown> = typeof call.input === 'object' && call.input !== null ? { ...call.input } : {};
  if (after instanceof Error) return sendError(res, new RegistryError('invalid_params', `invalid params: ${after.message}`, { details: { fields: [{ path: 'Last-Event-ID', message: after.message }] } }));
  if (after !== undefined) {
    if (input.since_revision !== undefined) {
      return sendError(res, new RegistryError('invalid_params', 'invalid params: since_revision: give it or Last-Event-ID, not both'));
    }
    input.since_revision = after + 1;
  }
  const resumed = { ...call, input };
  if (req.method === 'HEAD') {
    const outcome = await deps.runner.run(resumed, caller, PROBE_STREAMS);
    if (!outcome.ok) return sendError(res, outcome.error);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' }).end();
    return;
  }
  const stream = new SseStream({ hub: deps.events, res, budget: deps.budget, mayRead: () => roleAllows(auth.principal().role, 'read') });
  const outcome = await deps.runner.run(resumed, caller, stream);
  if (!outcome.ok) {
    stream.abandon();
    return sendError(res, outcome.error);
  }
  if (!stream.begin(outcome.value.result)) sendError(res, new RegistryError('slow_consumer', 'the stream fell behind before it began; reconnect'));
}
