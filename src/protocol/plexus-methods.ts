import { z } from 'zod';
import {
  backendWire,
  envWire,
  hostTopologyWire,
  pingWire,
  reloadedWire,
  resolvedEndpointListWire,
  resolvedEndpointWire,
  statusWire,
  subscribedWire,
  unsubscribedWire,
} from '../domain/index.js';
import type { OperationName } from '../operations/index.js';
import type { Frozen } from './frozen.js';
import type { Outcome } from './types.js';
import type { Answer, WireAnswer } from './wire-results.js';
import { backendOf } from './wire-service.js';

/**
 * The Plexus `registry.*` methods (README "JSON-RPC 2.0" and "Plexus hub call") mapped onto operations, with the tagged
 * content each answers: the operation's wire answer under a Plexus `type` (a service as a
 * backend). Shared by the direct JSON-RPC and the hub-call dialects.
 */

const tagged = <T extends readonly [string, ...string[]], S extends z.ZodRawShape>(types: T, shape: S) =>
  z.object({ type: z.enum(types), ...shape });

/** The content of each operation a Plexus method answers, as upstream Plexus clients read it. */
export const plexusContentSchemas = {
  register: tagged(['backend_registered', 'backend_updated'], { backend: backendWire }),
  update: tagged(['backend_updated'], { backend: backendWire }),
  deregister: tagged(['backend_deleted', 'backend_deregistered'], { name: z.string() }),
  /** A page (with `limit`) adds `next_cursor` and `revision`. */
  list_services: tagged(['backends'], { backends: z.array(backendWire), next_cursor: z.string().nullable().optional(), revision: z.number().int().optional() }),
  /** `null` for an unknown name, not an error (upstream behaviour clients rely on). */
  get_service: tagged(['backend'], { backend: backendWire.nullable() }),
  ping: tagged(['ping'], pingWire.shape),
  reload: tagged(['reloaded'], reloadedWire.shape),
  subscribe: tagged(['subscribed'], subscribedWire.shape),
  unsubscribe: tagged(['unsubscribed'], unsubscribedWire.shape),
  status: tagged(['status'], statusWire.shape),
  get_topology: tagged(['topology'], hostTopologyWire.shape),
  resolve: tagged(['resolved'], { endpoint: resolvedEndpointWire }),
  list_endpoints: tagged(['endpoints'], { endpoints: resolvedEndpointListWire }),
  env: tagged(['env'], envWire.shape),
} satisfies { readonly [N in OperationName]?: z.ZodType };

type PlexusOperation = keyof typeof plexusContentSchemas;
type ContentEncoders = {
  readonly [N in PlexusOperation]: (result: WireAnswer<N>, method: string) => Frozen<z.output<(typeof plexusContentSchemas)[N]>>;
};
type Content = Readonly<Record<string, unknown>>;

const contentEncoders = {
  register: (r) => ({ type: r.created ? 'backend_registered' : 'backend_updated', backend: backendOf(r.service) }),
  update: (r) => ({ type: 'backend_updated', backend: backendOf(r) }),
  deregister: (r, method) => ({ type: method === 'registry.delete' ? 'backend_deleted' : 'backend_deregistered', name: r.name }),
  list_services: (r) => ('next_cursor' in r ? { type: 'backends', backends: r.services.map(backendOf), next_cursor: r.next_cursor, revision: r.revision } : { type: 'backends', backends: r.map(backendOf) }),
  get_service: (r) => ({ type: 'backend', backend: backendOf(r) }),
  ping: (r) => ({ type: 'ping', ...r }),
  reload: (r) => ({ type: 'reloaded', ...r }),
  subscribe: (r) => ({ type: 'subscribed', ...r }),
  unsubscribe: (r) => ({ type: 'unsubscribed', ...r }),
  status: (r) => ({ type: 'status', ...r }),
  get_topology: (r) => ({ type: 'topology', ...r }),
  resolve: (r) => ({ type: 'resolved', endpoint: r }),
  list_endpoints: (r) => ({ type: 'endpoints', endpoints: r }),
  env: (r) => ({ type: 'env', ...r }),
} satisfies ContentEncoders;

/** The same encoders, seen by any operation's name (most have none). */
const contentByOperation: { readonly [N in OperationName]?: (result: WireAnswer<N>, method: string) => Content } = contentEncoders;

interface PlexusMethod {
  readonly op: PlexusOperation;
  /** Plexus defaults that differ from the operation's own. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

export const plexusMethods: Readonly<Record<string, PlexusMethod>> = {
  'registry.register': { op: 'register' },
  'registry.update': { op: 'update' },
  'registry.delete': { op: 'deregister' },
  'registry.deregister': { op: 'deregister' },
  'registry.list': { op: 'list_services', defaults: { active_only: true } },
  'registry.get': { op: 'get_service' },
  'registry.ping': { op: 'ping' },
  'registry.reload': { op: 'reload' },
  'registry.subscribe': { op: 'subscribe' },
  'registry.unsubscribe': { op: 'unsubscribe' },
  'registry.status': { op: 'status' },
  'registry.topology': { op: 'get_topology' },
  'registry.resolve': { op: 'resolve' },
  'registry.endpoints': { op: 'list_endpoints' },
  'registry.env': { op: 'env' },
};

const GENERIC_PREFIX = 'registry.';

/** A named Plexus method, or undefined; `Object.hasOwn` so `registry.constructor` is no method. */
const namedMethod = (method: string): PlexusMethod | undefined => (Object.hasOwn(plexusMethods, method) ? plexusMethods[method] : undefined);

export interface PlexusTarget {
  readonly op: string;
  readonly input: unknown;
}

/** Finds the operation for a Plexus method; undefined when there is none. Null params mean unset. */
export function plexusTarget(method: string, params: unknown): PlexusTarget | undefined {
  const known = namedMethod(method);
  // Every other operation is reachable as `registry.<operation>` with its own params.
  if (known === undefined) return method.startsWith(GENERIC_PREFIX) ? { op: method.slice(GENERIC_PREFIX.length), input: params ?? {} } : undefined;
  const given = params ?? {};
  if (known.defaults === undefined || typeof given !== 'object' || Array.isArray(given)) return { op: known.op, input: given };
  // fromEntries defines keys as own fields: a `__proto__` param stays a (rejected) field, never a prototype.
  const set = Object.entries(given).filter(([, value]) => value !== null && value !== undefined);
  return { op: known.op, input: Object.fromEntries([...Object.entries(known.defaults), ...set]) };
}

/** A named method's content from the answer of its operation; the name keeps the two typed together. */
function namedContent<N extends OperationName>(answer: Answer<N>, method: string): Content | undefined {
  return contentByOperation[answer.op]?.(answer.result, method);
}

/**
 * The content a successful or application-failed call answers: a named method's tagged content,
 * or `{"type":"<operation>","result":…}` for `registry.<operation>`. `get` of an unknown name is
 * `backend: null`, not an error (upstream behaviour clients rely on).
 */
export function plexusContent(method: string, outcome: Outcome): Content | undefined {
  const known = namedMethod(method);
  if (known === undefined) {
    return outcome.ok && method.startsWith(GENERIC_PREFIX) ? { type: outcome.value.op, result: outcome.value.result } : undefined;
  }
  if (outcome.ok) return namedContent(outcome.value, method);
  if (known.op === 'get_service' && outcome.error.code === 'not_found') return { type: 'backend', backend: null };
  return undefined;
}
