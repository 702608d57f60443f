/**
 * The HTTP read API (docs/ARCHITECTURE.md), a fourth thin adapter onto the operation table: a GET of a
 * route becomes a `Call` of a read operation, its query parameters the operation's input, and the
 * answer is the same wire value the action envelope carries in `result`. Errors are the action
 * envelope's error object with an HTTP status. `GET /v1/events` is the `subscribe` operation,
 * streamed as Server-Sent Events (sse.ts).
 */
import { z } from 'zod';
import { type ErrorCode, RegistryError } from '../domain/index.js';
import { type OperationName, typedOperations } from '../operations/index.js';
import { envelopeErrorObject } from './envelope.js';
import type { Call } from './types.js';

/** One route: a path with at most one `{segment}`, the operation it calls, and the input field the segment fills. */
interface RouteDefinition {
  readonly path: string;
  readonly op: OperationName;
  readonly segment?: string;
}

/** Every route of the read API; `/v1/events` streams (text/event-stream), the others answer JSON. */
export const httpRoutes = [
  { path: '/v1/services', op: 'list_services' },
  { path: '/v1/services/{name}', op: 'get_service', segment: 'name' },
  { path: '/v1/resolve/{name}', op: 'resolve', segment: 'service' },
  { path: '/v1/topology', op: 'get_topology' },
  { path: '/v1/networks', op: 'list_networks' },
  { path: '/v1/allocations', op: 'list_allocations' },
  { path: '/v1/deployments', op: 'list_deployments' },
  { path: '/v1/status', op: 'status' },
  { path: '/v1/events', op: 'subscribe' },
] as const satisfies readonly RouteDefinition[];

/** The path every route of the read API starts with. */
export const HTTP_API_PREFIX = '/v1/';
/** The route that streams events. */
export const EVENTS_PATH = '/v1/events';

/** How a query parameter's text becomes the value the input schema expects (`json`: an object, as JSON text). */
type QueryKind = 'string' | 'boolean' | 'number' | 'list' | 'json';

interface CompiledRoute extends RouteDefinition {
  readonly prefix: string;
  readonly kinds: ReadonlyMap<string, QueryKind>;
}

/** The JSON type a property of the input schema accepts (null aside): what its query text is read as. */
function kindOf(property: unknown): QueryKind {
  const schema = z.object({ type: z.union([z.string(), z.array(z.string())]).optional(), anyOf: z.array(z.unknown()).optional() }).safeParse(property);
  if (!schema.success) return 'string';
  const types = [schema.data.type ?? [], ...(schema.data.anyOf ?? []).map((branch) => z.object({ type: z.string() }).safeParse(branch).data?.type ?? [])].flat();
  if (types.includes('object')) return 'json';
  if (types.includes('array')) return 'list';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('integer') || types.includes('number')) return 'number';
  return 'string';
}

/** Each route's query kinds, derived once from its operation's input schema: a schema that cannot be read stops the start. */
function compile(route: RouteDefinition): CompiledRoute {
  const json = z.toJSONSchema(typedOperations[route.op].input, { io: 'input', unrepresentable: 'any' });
  const properties = z.record(z.string(), z.unknown()).parse(json.properties ?? {});
  const kinds = new Map(Object.entries(properties).map(([name, property]) => [name, kindOf(property)]));
  const prefix = route.segment === undefined ? route.path : route.path.slice(0, route.path.indexOf('{'));
  return { ...route, prefix, kinds };
}

const compiled: readonly CompiledRoute[] = httpRoutes.map(compile);

const badParam = (field: string, message: string): RegistryError =>
  new RegistryError('invalid_params', `invalid params: ${field}: ${message}`, { details: { fields: [{ path: field, message }] } });

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One parameter's text as its kind; text that does not read as the kind stays text, and the schema names the field. */
function queryValue(kind: QueryKind, values: readonly string[]): unknown {
  if (kind === 'list') return values.flatMap((value) => value.split(',')).filter((value) => value !== '');
  const [only, ...more] = values;
  if (only === undefined || more.length > 0) return values;
  if (kind === 'boolean') return only === 'true' ? true : only === 'false' ? false : only;
  if (kind === 'json') return jsonOrText(only);
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(only) ? Number(only) : only;
  return only;
}

/** The route a path names, with the text of its segment; undefined for no route of the API. */
function match(path: string): { readonly route: CompiledRoute; readonly segment?: string } | undefined {
  for (const route of compiled) {
    if (route.segment === undefined) {
      if (path === route.path) return { route };
    } else if (path.startsWith(route.prefix) && path.length > route.prefix.length && !path.slice(route.prefix.length).includes('/')) {
      return { route, segment: path.slice(route.prefix.length) };
    }
  }
  return undefined;
}

/**
 * A request of the read API as a call: the route's operation, with the query parameters read as
 * its input schema expects (repeated or comma-separated for a list) and the path segment in its
 * field. Throws `unknown_operation` for a path no route serves, `invalid_params` for a segment
 * that is not valid percent-encoding or a field given twice; the schema judges the rest.
 */
export function decodeHttpCall(method: string, url: URL): Call {
  const found = match(url.pathname);
  if (found === undefined) {
    const routes = httpRoutes.map((route) => route.path).join(', ');
    throw new RegistryError('unknown_operation', `no route ${method} ${url.pathname.slice(0, 128)}; the HTTP API serves ${routes}`, {
      details: { method, path: url.pathname.slice(0, 128) },
    });
  }
  const { route, segment } = found;
  const input: Record<string, unknown> = {};
  for (const name of new Set(url.searchParams.keys())) {
    input[name] = queryValue(route.kinds.get(name) ?? 'string', url.searchParams.getAll(name));
  }
  if (route.segment !== undefined && segment !== undefined) {
    if (Object.hasOwn(input, route.segment)) throw badParam(route.segment, 'is given by the path; leave it out of the query');
    try {
      input[route.segment] = decodeURIComponent(segment);
    } catch {
      throw badParam(route.segment, 'is not valid percent-encoding');
    }
  }
  return { dialect: 'http', id: null, method: `${method} ${route.path}`, op: route.op, input, silent: false };
}

/** The HTTP status of each error code. */
export const httpStatuses = {
  parse_error: 400,
  invalid_frame: 400,
  frame_too_large: 413,
  unknown_operation: 404,
  invalid_params: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  illegal_transition: 409,
  config_invalid: 422,
  resync_required: 410,
  cursor_expired: 410,
  slow_consumer: 429,
  network_exhausted: 409,
  address_unavailable: 409,
  deployment_in_progress: 409,
  deployment_failed: 502,
  package_invalid: 422,
  host_key_mismatch: 502,
  limit_exceeded: 429,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

/** An error as the API answers it: the status, and the body `{"error":{code, message, details?}}`. */
export function encodeHttpError(error: RegistryError): { readonly status: number; readonly body: string } {
  return { status: httpStatuses[error.code], body: JSON.stringify({ error: envelopeErrorObject(error) }) };
}
