import { RegistryError } from '../domain/index.js';
import { jsonRpcCodes } from './jsonrpc-codes.js';
import { plexusContent, plexusTarget } from './plexus-methods.js';
import { type Call, type Dialect, echoableId, type Frame, FrameError, MAX_ID_CHARS, type Outcome, type RequestId } from './types.js';

/** JSON-RPC 2.0 with direct `registry.*` methods (README "JSON-RPC 2.0"). */

export function jsonRpcError(id: RequestId, error: RegistryError): Frame {
  const data: Record<string, unknown> = { code: error.code };
  if (Object.keys(error.details).length > 0) data.details = error.details;
  return { jsonrpc: '2.0', id, error: { code: jsonRpcCodes[error.code], message: error.message, data } };
}

/** A module-level function, not a closure per frame: tsx names every closure it makes, and that is not free. */
function invalidRequest(id: RequestId, why: string): FrameError {
  return new FrameError(id, new RegistryError('invalid_frame', `invalid request: ${why}`));
}

/** Reads the parts every JSON-RPC request shares; throws FrameError (-32600) when they are wrong. */
export function readJsonRpc(message: Readonly<Record<string, unknown>>): { id: RequestId; method: string; params: unknown; silent: boolean } {
  const rawId = message.id;
  const id = echoableId(rawId);
  if (message.jsonrpc !== '2.0') throw invalidRequest(id, 'jsonrpc: must be "2.0"');
  if (rawId !== undefined && rawId !== null && id === null) throw invalidRequest(id, `id: must be a number, null or a string of at most ${MAX_ID_CHARS} characters`);
  if (typeof message.method !== 'string' || message.method === '') throw invalidRequest(id, 'method: must be a non-empty string');
  const params = message.params;
  if (params !== undefined && params !== null && typeof params !== 'object') throw invalidRequest(id, 'params: must be an object or an array');
  return { id, method: message.method, params, silent: rawId === undefined };
}

export const jsonRpcDialect: Dialect = {
  name: 'jsonrpc',
  decode(message) {
    const { id, method, params, silent } = readJsonRpc(message);
    if (Array.isArray(params)) {
      throw new FrameError(id, new RegistryError('invalid_params', 'invalid params: (params): must be an object of named params'));
    }
    const target = plexusTarget(method, params);
    const call: Call =
      target === undefined
        ? { dialect: 'jsonrpc', id, method, op: '', input: params, silent }
        : { dialect: 'jsonrpc', id, method, op: target.op, input: target.input, silent };
    return { kind: 'call', call };
  },
  encode(call, outcome: Outcome) {
    if (call.silent) return [];
    const content = plexusContent(call.method, outcome);
    if (content !== undefined) return [{ jsonrpc: '2.0', id: call.id, result: content }];
    if (outcome.ok) return [{ jsonrpc: '2.0', id: call.id, result: outcome.value.result }];
    return [jsonRpcError(call.id, outcome.error)];
  },
  encodeFrameError: jsonRpcError,
  eventEnvelope: (subscription) => ({
    head: `{"jsonrpc":"2.0","method":"registry.event","params":{"subscription":${JSON.stringify(subscription)},"result":{`,
    tail: '}}}',
  }),
  batchEnvelope: (subscription) => ({
    head: `{"jsonrpc":"2.0","method":"registry.event","params":{"subscription":${JSON.stringify(subscription)},"results":[`,
    tail: ']}}',
  }),
  streamEnd: () => undefined,
  streamError: (subscription, error) => JSON.stringify({ jsonrpc: '2.0', method: 'registry.event', params: { subscription, error: jsonRpcError(null, error).error } }),
};
