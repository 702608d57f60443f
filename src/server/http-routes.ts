/**
 * The plain HTTP routes of the port: `/healthz` (liveness for anyone, the revision and service
 * count for a caller holding read), `/metrics` (Prometheus text; loopback or read), the read API
 * under `/v1/`, the dashboard under `/ui/`, and `/`, which sends a browser to the dashboard and
 * tells a program what the port speaks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/index.js';
import type { RegistryMetrics } from '../metrics/index.js';
import type { AuthGate } from './auth-gate.js';
import { dashboardRoute } from './dashboard-route.js';
import { httpApiRoute, type HttpApiDeps } from './http-api.js';
import { HttpRouter, refusalError, sendError, sendJson } from './http-router.js';
import type { Logger } from './log.js';
import { RegistryError } from '../domain/index.js';

export interface HttpRoutesDeps extends HttpApiDeps {
  readonly gate: AuthGate;
  readonly store: Store;
  readonly metrics: RegistryMetrics;
  readonly logger: Logger;
  /** The built dashboard's folder (DEFAULT_DASHBOARD_DIR). */
  readonly dashboardDir: string;
}

/** A redirect within this origin (the target is one of ours, never from the request). */
function redirect(res: ServerResponse, status: 302 | 308, location: string): void {
  res.writeHead(status, { location, 'content-length': 0, 'cache-control': 'no-store' }).end();
}

/** Why a request may not read (`/metrics`): the refusal of its credentials, or the role it lacks. */
function readRefusal(gate: AuthGate, req: IncomingMessage): RegistryError | undefined {
  const verdict = gate.authorize(req);
  if (!verdict.ok) return refusalError(verdict);
  const { role } = verdict.auth.principal();
  if (role === 'none') return new RegistryError('unauthorized', '/metrics needs the read role and no credentials were presented: send Authorization: Bearer <token> or a client certificate');
  return undefined;
}

export function buildHttpRouter(deps: HttpRoutesDeps): HttpRouter {
  const { gate, store, metrics, logger } = deps;
  return new HttpRouter(logger)
    .add({
      path: '/healthz',
      handle: (req, res) => {
        const body = gate.mayRead(req) ? { status: 'ok', revision: store.revision, services: store.services.size } : { status: 'ok' };
        sendJson(res, 200, JSON.stringify(body));
      },
    })
    .add({
      path: '/metrics',
      handle: async (req, res) => {
        const refused = readRefusal(gate, req);
        if (refused !== undefined) return sendError(res, refused);
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' }).end(text);
      },
    })
    .add(httpApiRoute(deps))
    .add(dashboardRoute(deps.dashboardDir, logger))
    .add({ path: '/ui', handle: (_req, res) => redirect(res, 308, '/ui/') })
    .add({
      path: '/',
      handle: (req, res) => {
        // A person typing the address gets the dashboard; a program asking for anything else, what the port speaks.
        if (req.headers.accept?.includes('text/html') === true) return redirect(res, 302, '/ui/');
        const text = 'this port speaks WebSocket (wss://), and HTTP on /healthz, /metrics, /v1/… and the dashboard at /ui/\n';
        res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', 'content-length': Buffer.byteLength(text) }).end(text);
      },
    });
}
