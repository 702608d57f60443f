import { echoed, RegistryError } from '../domain/index.js';
import { envelopeDialect } from './envelope.js';
import { HUB_CALL, HUB_UNSUB, hubDialect } from './hub.js';
import { jsonRpcDialect } from './jsonrpc.js';
import { type Dialect, type DialectName, echoableId, FrameError } from './types.js';

export const dialects: Readonly<Record<DialectName, Dialect>> = {
  envelope: envelopeDialect,
  jsonrpc: jsonRpcDialect,
  hub: hubDialect,
};

export type Parsed =
  | { readonly ok: true; readonly dialect: Dialect; readonly message: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly dialect: Dialect | undefined; readonly error: FrameError };

/** The dialect a JSON object speaks, or undefined when it looks like none of them. */
export function detectDialect(message: Readonly<Record<string, unknown>>): Dialect | undefined {
  if ('jsonrpc' in message) {
    return message.method === HUB_CALL || message.method === HUB_UNSUB ? hubDialect : jsonRpcDialect;
  }
  if ('action' in message || message.type === 'request') return envelopeDialect;
  return undefined;
}

/**
 * Parses one text frame. A frame that is not JSON, or JSON in no known envelope, yields a
 * FrameError with no dialect: the connection answers it in the dialect it last used.
 */
export function parseFrame(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const reason = echoed(cause instanceof Error ? cause.message : String(cause));
    return { ok: false, dialect: undefined, error: new FrameError(null, new RegistryError('parse_error', `parse error: ${reason}`, { cause })) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a batch (array); batches are not supported' : `a JSON ${value === null ? 'null' : typeof value}`;
    return { ok: false, dialect: undefined, error: new FrameError(null, new RegistryError('invalid_frame', `invalid request: the frame is ${what}, not a request object`)) };
  }
  const message = value as Readonly<Record<string, unknown>>;
  const dialect = detectDialect(message);
  if (dialect === undefined) {
    const id = echoableId(message.id);
    const error = new RegistryError('invalid_frame', 'invalid request: expected "jsonrpc":"2.0" with a method, or "type":"request" with an action');
    return { ok: false, dialect: undefined, error: new FrameError(id, error) };
  }
  return { ok: true, dialect, message };
}
