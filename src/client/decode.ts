/**
 * Reading action-envelope frames and results. The server is trusted, so shapes are read, not
 * re-validated: a missing field gets a neutral value rather than an exception.
 */
import { asRevision, type ErrorCode, isErrorCode, RegistryError } from '../domain/index.js';
import type { AllocationOutput, NetworkOutput, OperationByName, OperationName, OutputOf } from '../operations/index.js';
import {
  decodeCheckOutput,
  decodeCheckRow,
  decodeHealthReport,
  decodeResolvedEndpoint,
  decodeService,
  decodeTopology,
} from '../protocol/index.js';
import { decodeDeployment, decodeNode } from './decode-deployment.js';
import { decodeAuthenticated, decodeTokenCreated, decodeTokenList, decodeTokenRevoked } from './decode-auth.js';

/** What an operation answers, as the table declares it. */
export type OutputFor<N extends OperationName> = OutputOf<OperationByName<N>>;

type Wire = Readonly<Record<string, unknown>>;

export const asObject = (value: unknown): Wire | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : undefined;
const obj = (value: unknown): Wire => asObject(value) ?? {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

type Decoders = { readonly [N in OperationName]: (wire: unknown) => OutputFor<N> };

/** One decoder per operation: adding an operation to the table does not compile until it has one. */
const decodeRegistered = (wire: unknown) => {
  const w = obj(wire);
  return { service: decodeService(w.service), created: w.created === true };
};

const decodeAllocation = (wire: unknown): AllocationOutput => {
  const w = obj(wire);
  return { network: str(w.network), owner: str(w.owner), address: str(w.address), allocated_at: num(w.allocated_at) };
};

const decodeNetwork = (wire: unknown): NetworkOutput => {
  const w = obj(wire);
  return {
    ...{ name: str(w.name), kind: w.kind === 'lan' ? 'lan' : 'wireguard', cidr: str(w.cidr), family: w.family === 'IPv6' ? 'IPv6' : 'IPv4' },
    ...(typeof w.gateway === 'string' ? { gateway: w.gateway } : {}),
    reserved: Array.isArray(w.reserved) ? w.reserved.map(str) : [],
    ...{ capacity: str(w.capacity), allocated: num(w.allocated), available: str(w.available) },
  };
};

const decodeHealthStats = (w: Wire) => ({
  checks: num(w.checks),
  shards: num(w.shards),
  running: num(w.running),
  runs: num(w.runs),
  lateness_p99_ms: num(w.lateness_p99_ms),
});

export const outputDecoders: Decoders = {
  register: decodeRegistered,
  register_service: decodeRegistered,
  update: decodeService,
  deregister: (wire) => ({ name: str(obj(wire).name) }),
  ping: (wire) => {
    const w = obj(wire);
    return { name: str(w.name), success: w.success === true, message: str(w.message) };
  },
  get_service: decodeService,
  service_action: decodeService,
  set_state: decodeService,
  list_services: (wire) => (Array.isArray(wire) ? wire.map(decodeService) : []),
  reload: (wire) => ({ count: num(obj(wire).count) }),
  get_topology: decodeTopology,
  resolve: decodeResolvedEndpoint,
  list_endpoints: (wire) => (Array.isArray(wire) ? wire.map(decodeResolvedEndpoint) : []),
  env: (wire) => {
    const lines = obj(wire).lines;
    return { lines: Array.isArray(lines) ? lines.map(str) : [] };
  },
  list_networks: (wire) => (Array.isArray(wire) ? wire.map(decodeNetwork) : []),
  allocate_ip: (wire) => ({ ...decodeAllocation(wire), created: obj(wire).created === true }),
  release_ip: decodeAllocation,
  list_allocations: (wire) => (Array.isArray(wire) ? wire.map(decodeAllocation) : []),
  subscribe: (wire) => ({ subscription: str(obj(wire).subscription), revision: asRevision(num(obj(wire).revision)) }),
  unsubscribe: (wire) => ({ subscription: str(obj(wire).subscription), removed: obj(wire).removed === true }),
  deploy_package: decodeDeployment,
  rollback: decodeDeployment,
  get_deployment: decodeDeployment,
  list_deployments: (wire) => (Array.isArray(wire) ? wire.map(decodeDeployment) : []),
  list_nodes: (wire) => (Array.isArray(wire) ? wire.map(decodeNode) : []),
  authenticate: decodeAuthenticated,
  token_create: decodeTokenCreated,
  token_list: decodeTokenList,
  token_revoke: decodeTokenRevoked,
  add_check: decodeCheckOutput,
  remove_check: (wire) => {
    const w = obj(wire);
    return { service: str(w.service), check: str(w.check), removed: w.removed === true };
  },
  list_checks: (wire) => (Array.isArray(wire) ? wire.map(decodeCheckRow) : []),
  get_health: decodeHealthReport,
  status: (wire) => {
    const w = obj(wire);
    return {
      revision: asRevision(num(w.revision)),
      compact_revision: asRevision(num(w.compact_revision)),
      services: num(w.services),
      store: w.store === 'postgres' ? 'postgres' : 'sqlite',
      uptime_seconds: num(w.uptime_seconds),
      role: str(w.role),
      ...(asObject(w.health) === undefined ? {} : { health: decodeHealthStats(obj(w.health)) }),
    };
  },
};

/** A server error as the envelope carries it; an unknown code becomes `internal`, keeping the original. */
export function decodeServerError(wire: unknown): RegistryError {
  const w = obj(wire);
  const details = { ...obj(w.details) };
  let code: ErrorCode = 'internal';
  if (isErrorCode(w.code)) code = w.code;
  else details.wireCode = w.code;
  const message = typeof w.message === 'string' && w.message !== '' ? w.message : undefined;
  return new RegistryError(code, message, { details });
}

/** An incoming frame, sorted by what the client does with it. */
export type IncomingFrame =
  | { readonly type: 'response'; readonly id: string; readonly ok: true; readonly result: unknown }
  | { readonly type: 'response'; readonly id: string; readonly ok: false; readonly error: RegistryError }
  | { readonly type: 'event'; readonly frame: Wire }
  /** The server ended a subscription, saying why (e.g. `unauthorized` once its token was revoked). */
  | { readonly type: 'stream_error'; readonly subscription: string; readonly error: RegistryError }
  | { readonly type: 'unknown'; readonly frame: unknown };

export function decodeFrame(text: string): IncomingFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'unknown', frame: text };
  }
  const frame = asObject(value);
  if (frame === undefined) return { type: 'unknown', frame: value };
  if (frame.type === 'event') return { type: 'event', frame };
  if (frame.type === 'stream_error') return { type: 'stream_error', subscription: str(frame.subscription), error: decodeServerError(frame.error) };
  if (frame.type !== 'response' || (typeof frame.id !== 'string' && typeof frame.id !== 'number')) {
    return { type: 'unknown', frame };
  }
  const id = String(frame.id);
  if (frame.error !== undefined) return { type: 'response', id, ok: false, error: decodeServerError(frame.error) };
  return { type: 'response', id, ok: true, result: frame.result };
}
