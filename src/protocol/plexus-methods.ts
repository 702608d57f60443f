import type { Service } from '../domain/index.js';
import type { PingOutput, RegisterOutput } from '../operations/index.js';
import { encodeResult } from './envelope.js';
import type { Outcome } from './types.js';
import { encodeBackend } from './wire-service.js';
import { encodeTopology } from './wire-topology.js';
import type { HostTopology } from '../topology/index.js';

/**
 * The Plexus `registry.*` methods (DESIGN §3b, §3c) mapped onto operations, with the tagged
 * content each answers. Shared by the direct JSON-RPC and the hub-call dialects.
 */
interface PlexusMethod {
  readonly op: string;
  /** Plexus defaults that differ from the operation's own. */
  readonly defaults?: Readonly<Record<string, unknown>>;
  readonly content: (value: unknown, now: number) => Readonly<Record<string, unknown>>;
}

const nameOf = (v: unknown): string => (v as { name: string }).name;

export const plexusMethods: Readonly<Record<string, PlexusMethod>> = {
  'registry.register': {
    op: 'register',
    content: (v, now) => {
      const out = v as RegisterOutput;
      return { type: out.created ? 'backend_registered' : 'backend_updated', backend: encodeBackend(out.service, now) };
    },
  },
  'registry.update': { op: 'update', content: (v, now) => ({ type: 'backend_updated', backend: encodeBackend(v as Service, now) }) },
  'registry.delete': { op: 'deregister', content: (v) => ({ type: 'backend_deleted', name: nameOf(v) }) },
  'registry.deregister': { op: 'deregister', content: (v) => ({ type: 'backend_deregistered', name: nameOf(v) }) },
  'registry.list': {
    op: 'list_services',
    defaults: { active_only: true },
    content: (v, now) => ({ type: 'backends', backends: (v as readonly Service[]).map((s) => encodeBackend(s, now)) }),
  },
  'registry.get': { op: 'get_service', content: (v, now) => ({ type: 'backend', backend: encodeBackend(v as Service, now) }) },
  'registry.ping': {
    op: 'ping',
    content: (v) => {
      const out = v as PingOutput;
      return { type: 'ping', name: out.name, success: out.success, message: out.message };
    },
  },
  'registry.reload': { op: 'reload', content: (v) => ({ type: 'reloaded', count: (v as { count: number }).count }) },
  'registry.subscribe': {
    op: 'subscribe',
    content: (v) => ({ type: 'subscribed', ...(v as Record<string, unknown>) }),
  },
  'registry.unsubscribe': {
    op: 'unsubscribe',
    content: (v) => ({ type: 'unsubscribed', ...(v as Record<string, unknown>) }),
  },
  'registry.status': { op: 'status', content: (v) => ({ type: 'status', ...(v as Record<string, unknown>) }) },
  'registry.topology': { op: 'get_topology', content: (v) => ({ type: 'topology', ...encodeTopology(v as HostTopology) }) },
  'registry.resolve': { op: 'resolve', content: (v) => ({ type: 'resolved', endpoint: v }) },
  'registry.endpoints': { op: 'list_endpoints', content: (v) => ({ type: 'endpoints', endpoints: v }) },
  'registry.env': { op: 'env', content: (v) => ({ type: 'env', ...(v as Record<string, unknown>) }) },
};

const GENERIC_PREFIX = 'registry.';

export interface PlexusTarget {
  readonly op: string;
  readonly input: unknown;
}

/** Finds the operation for a Plexus method; undefined when there is none. Null params mean unset. */
export function plexusTarget(method: string, params: unknown): PlexusTarget | undefined {
  const known = plexusMethods[method];
  // Every other operation is reachable as `registry.<operation>` with its own params.
  if (known === undefined) return method.startsWith(GENERIC_PREFIX) ? { op: method.slice(GENERIC_PREFIX.length), input: params ?? {} } : undefined;
  const given = params ?? {};
  if (known.defaults === undefined || typeof given !== 'object' || Array.isArray(given)) return { op: known.op, input: given };
  // fromEntries defines keys as own fields: a `__proto__` param stays a (rejected) field, never a prototype.
  const set = Object.entries(given).filter(([, value]) => value !== null && value !== undefined);
  return { op: known.op, input: Object.fromEntries([...Object.entries(known.defaults), ...set]) };
}

/**
 * The content a successful or application-failed call answers. `get` of an unknown name is
 * `backend: null`, not an error (upstream behaviour clients rely on).
 */
export function plexusContent(method: string, outcome: Outcome, now: number): Readonly<Record<string, unknown>> | undefined {
  const known = plexusMethods[method];
  if (known === undefined) {
    const op = method.slice(GENERIC_PREFIX.length);
    return outcome.ok && method.startsWith(GENERIC_PREFIX) ? { type: op, result: encodeResult(op, outcome.value, now) ?? null } : undefined;
  }
  if (outcome.ok) return known.content(outcome.value, now);
  if (known.op === 'get_service' && outcome.error.code === 'not_found') return { type: 'backend', backend: null };
  return undefined;
}
