import { type ErrorCode, RegistryError } from '../domain/index.js';
import { type Call, type Dialect, echoableId, type Frame, FrameError, MAX_ID_CHARS, type Outcome, type RequestId } from './types.js';

/**
 * The action envelope of the service-registry seed (README "Action envelope"):
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
  cursor_expired: 'cursor_expired',
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

/** The error object of an answer, `{code, message, details?}`: the envelope's, the HTTP API's and the CLI's. */
export function envelopeErrorObject(error: RegistryError): Frame {
  const body: Record<string, unknown> = { code: wireCodes[error.code], message: error.message };
  if (Object.keys(error.details).length > 0) body.details = error.details;
  return body;
}

function envelopeError(id: RequestId, error: RegistryError): Frame {
  return { id: id ?? '', type: 'response', error: envelopeErrorObject(error) };
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
  encode(call, outcome: Outcome) {
    if (!outcome.ok) return [envelopeError(call.id, outcome.error)];
    return [{ id: call.id, type: 'response', result: outcome.value.result }];
  },
  encodeFrameError: envelopeError,
  eventEnvelope: (subscription) => ({ head: `{"type":"event","subscription":${JSON.stringify(subscription)},`, tail: '}' }),
  batchEnvelope: (subscription) => ({ head: `{"type":"events","subscription":${JSON.stringify(subscription)},"events":[`, tail: ']}' }),
  streamEnd: () => undefined,
  streamError: (subscription, error) => JSON.stringify({ type: 'stream_error', subscription, error: envelopeErrorObject(error) }),
};
