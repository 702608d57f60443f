import { type ErrorCode, RegistryError, type Service } from '../domain/index.js';
import { type CheckOutput, type CheckRow, type HealthReport, operationAliases, type RegisterOutput } from '../operations/index.js';
import { encodeCheckOutput, encodeCheckRow, encodeHealthReport } from './wire-check.js';
import { type Call, type Dialect, echoableId, type Frame, FrameError, MAX_ID_CHARS, type Outcome, type RequestId } from './types.js';
import { encodeService } from './wire-service.js';
import { encodeTopology } from './wire-topology.js';
import type { HostTopology } from '../topology/index.js';

/**
 * The action envelope of the service-registry seed (DESIGN §3a):
 * `{"id","type":"request","action","params"}` → `{"id","type":"response","result"|"error"}`.
 */

/** Error codes travel as they are; the table exists so a new code must be looked at here. */
const wireCodes = {
  parse_error: 'parse_error',
  invalid_frame: 'invalid_frame',
  frame_too_large: 'frame_too_large',
  unknown_operation: 'unknown_operation',
  invalid_params: 'invalid_params',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  illegal_transition: 'illegal_transition',
  config_invalid: 'config_invalid',
  resync_required: 'resync_required',
  slow_consumer: 'slow_consumer',
  network_exhausted: 'network_exhausted',
  address_unavailable: 'address_unavailable',
  deployment_in_progress: 'deployment_in_progress',
  deployment_failed: 'deployment_failed',
  package_invalid: 'package_invalid',
  host_key_mismatch: 'host_key_mismatch',
  limit_exceeded: 'limit_exceeded',
  rate_limited: 'rate_limited',
  unavailable: 'unavailable',
  internal: 'internal',
} as const satisfies Record<ErrorCode, string>;

type ResultEncoder = (value: unknown, now: number) => unknown;

/** Outputs that hold services are encoded field by field; everything else goes as it is. */
const encodeRegistered: ResultEncoder = (v, now) => {
  const out = v as RegisterOutput;
  return { service: encodeService(out.service, now), created: out.created };
};

const resultEncoders: Readonly<Record<string, ResultEncoder>> = {
  register: encodeRegistered,
  register_service: encodeRegistered,
  update: (v, now) => encodeService(v as Service, now),
  get_service: (v, now) => encodeService(v as Service, now),
  service_action: (v, now) => encodeService(v as Service, now),
  set_state: (v, now) => encodeService(v as Service, now),
  list_services: (v, now) => (v as readonly Service[]).map((s) => encodeService(s, now)),
  get_topology: (v) => encodeTopology(v as HostTopology),
  add_check: (v) => encodeCheckOutput(v as CheckOutput),
  list_checks: (v) => (v as readonly CheckRow[]).map(encodeCheckRow),
  get_health: (v) => encodeHealthReport(v as HealthReport),
};

/** An operation's output as the wire carries it (snake_case, seconds); shared by every dialect. */
export function encodeResult(op: string, value: unknown, now: number): unknown {
  const encoder = resultEncoders[operationAliases[op] ?? op];
  return encoder === undefined ? value : encoder(value, now);
}

function envelopeError(id: RequestId, error: RegistryError): Frame {
  const body: Record<string, unknown> = { code: wireCodes[error.code], message: error.message };
  if (Object.keys(error.details).length > 0) body.details = error.details;
  return { id: id ?? '', type: 'response', error: body };
}

/** A module-level function, not a closure per frame: tsx names every closure it makes, and that is not free. */
function badEnvelope(id: RequestId, why: string): FrameError {
  return new FrameError(id, new RegistryError('invalid_frame', `invalid request envelope: ${why}`, { details: { field: why.split(':')[0] } }));
}

export const envelopeDialect: Dialect = {
  name: 'envelope',
  decode(message) {
    const id = echoableId(message.id);
    if (id === null) throw badEnvelope(id, `id: must be a number or a string of at most ${MAX_ID_CHARS} characters`);
    if (message.type !== 'request') throw badEnvelope(id, 'type: must be "request"');
    if (typeof message.action !== 'string' || message.action === '') throw badEnvelope(id, 'action: must be a non-empty string');
    const params = message.params ?? {};
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw badEnvelope(id, 'params: must be an object');
    const call: Call = { dialect: 'envelope', id, method: message.action, op: message.action, input: params, silent: false };
    return { kind: 'call', call };
  },
  encode(call, outcome: Outcome, now) {
    if (!outcome.ok) return [envelopeError(call.id, outcome.error)];
    return [{ id: call.id, type: 'response', result: encodeResult(call.op, outcome.value, now) ?? null }];
  },
  encodeFrameError: envelopeError,
  eventEnvelope: (subscription) => ({ head: `{"type":"event","subscription":${JSON.stringify(subscription)},`, tail: '}' }),
  streamEnd: () => undefined,
  streamError: (subscription, error) => JSON.stringify({ type: 'stream_error', subscription, error: envelopeError(null, error).error }),
};
