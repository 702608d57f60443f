import { createHash } from 'node:crypto';
import { echoed, type ErrorCode, errorCodes, RegistryError } from '../domain/index.js';
import { type OperationName, operations } from '../operations/index.js';
import { jsonRpcCodes } from './jsonrpc-codes.js';
import { jsonRpcError, readJsonRpc } from './jsonrpc.js';
import { plexusContent, plexusMethods, plexusTarget } from './plexus-methods.js';
import { newSubscriptionId } from './subscription-id.js';
import { toSeconds } from './wire-service.js';
import { type Call, type Dialect, type Frame, FrameError, type Outcome, type RequestId } from './types.js';
import type { Answer, WireAnswer } from './wire-results.js';

/**
 * The Plexus hub call (README "Plexus hub call"): every method is a subscription routed through the hub.
 * Answer: the subscription id, then `data` items, then `done`.
 */
export const HUB_CALL = 'registry-hub.call';
export const HUB_UNSUB = 'registry-hub.call_unsub';
const HUB_NAME = 'registry-hub';

/** Plexus clients check this hash to see whether the hub's schema changed. */
const PLEXUS_HASH = createHash('sha256')
  .update([...Object.keys(plexusMethods), ...operations.map((op) => `registry.${op.name}`)].sort().join('\n'))
  .digest('hex')
  .slice(0, 16);

/** Failures of the call itself are stream `error` items; failures of the work are `error` content. */
const errorPlacement = {
  parse_error: 'stream',
  invalid_frame: 'stream',
  frame_too_large: 'stream',
  unknown_operation: 'stream',
  invalid_params: 'stream',
  unauthorized: 'stream',
  forbidden: 'stream',
  rate_limited: 'stream',
  unavailable: 'stream',
  internal: 'stream',
  not_found: 'content',
  conflict: 'content',
  illegal_transition: 'content',
  config_invalid: 'content',
  resync_required: 'stream',
  cursor_expired: 'content',
  slow_consumer: 'stream',
  limit_exceeded: 'stream',
  network_exhausted: 'content',
  address_unavailable: 'content',
  deployment_in_progress: 'content',
  deployment_failed: 'content',
  package_invalid: 'content',
  host_key_mismatch: 'content',
} as const satisfies Record<ErrorCode, 'stream' | 'content'>;

const metadata = (now: number, provenance: readonly string[]) => ({ provenance, plexus_hash: PLEXUS_HASH, timestamp: toSeconds(now) });

const dataItem = (meta: ReturnType<typeof metadata>, method: string, content: unknown): Record<string, unknown> => ({ type: 'data', metadata: meta, content_type: method, content });

function streamItem(subscription: string, result: Record<string, unknown>): Frame {
  return { jsonrpc: '2.0', method: HUB_CALL, params: { subscription, result } };
}

function streamError(error: RegistryError, meta: ReturnType<typeof metadata>): Record<string, unknown> {
  const message = error.code === 'invalid_params' ? error.message.replace(/^invalid params/, 'Invalid params') : error.message;
  const item: Record<string, unknown> = { type: 'error', metadata: meta, message, code: String(jsonRpcCodes[error.code]), recoverable: errorCodes[error.code].retry };
  // The registry code and details (bad fields, compactRevision) travel like JSON-RPC's error.data.
  item.data = Object.keys(error.details).length > 0 ? { code: error.code, details: error.details } : { code: error.code };
  return item;
}

/** What the hub reads of an answer by its operation: the stream `subscribe` opened, and whether `unsubscribe` removed one. */
type Readers<T> = { readonly [N in OperationName]?: (result: WireAnswer<N>) => T };
const streamOpened: Readers<string> = { subscribe: (r) => r.subscription };
const streamRemoved: Readers<boolean> = { unsubscribe: (r) => r.removed };
const read = <T, N extends OperationName>(readers: Readers<T>, answer: Answer<N>): T | undefined => readers[answer.op]?.(answer.result);

/** The subscription id answer, the items, then `done`. */
function streamFrames(id: RequestId, items: readonly Record<string, unknown>[], meta: ReturnType<typeof metadata>): Frame[] {
  const subscription = newSubscriptionId();
  return [
    { jsonrpc: '2.0', id, result: subscription },
    ...items.map((item) => streamItem(subscription, item)),
    streamItem(subscription, { type: 'done', metadata: meta }),
  ];
}

export const hubDialect: Dialect = {
  name: 'hub',
  decode(message, now) {
    const { id, method, params, silent } = readJsonRpc(message);
    if (method === HUB_UNSUB) {
      const subscription = Array.isArray(params) ? params[0] : (params as Record<string, unknown> | null | undefined)?.subscription;
      return { kind: 'call', call: { dialect: 'hub', id, method, op: 'unsubscribe', input: { subscription }, silent } };
    }
    if (method !== HUB_CALL) {
      const named = echoed(method);
      throw new FrameError(id, new RegistryError('unknown_operation', `method '${named}' not found`, { details: { method: named } }));
    }
    const p = params;
    if (typeof p !== 'object' || p === null || Array.isArray(p) || typeof (p as Record<string, unknown>).method !== 'string') {
      throw new FrameError(id, new RegistryError('invalid_params', 'invalid params: method: must be the name of a registry method'));
    }
    const inner = p as Record<string, unknown>;
    const innerMethod = String(inner.method);
    const target = plexusTarget(innerMethod, inner.params);
    if (innerMethod === '_info') {
      const meta = metadata(now, [HUB_NAME]);
      const call: Call = { dialect: 'hub', id, method: innerMethod, op: '_info', input: {}, silent };
      return { kind: 'reply', call, frames: streamFrames(id, [{ type: 'data', metadata: meta, content_type: '_info', content: { backend: HUB_NAME } }], meta) };
    }
    const call: Call = { dialect: 'hub', id, method: innerMethod, op: target?.op ?? '', input: target?.input ?? inner.params, silent };
    return { kind: 'call', call };
  },
  encode(call, outcome: Outcome, now) {
    if (call.method === HUB_UNSUB) {
      if (call.silent) return [];
      return [outcome.ok ? { jsonrpc: '2.0', id: call.id, result: read(streamRemoved, outcome.value) ?? false } : jsonRpcError(call.id, outcome.error)];
    }
    const meta = metadata(now, [HUB_NAME, 'registry']);
    const content = plexusContent(call.method, outcome) ?? (outcome.ok ? { type: outcome.value.op, result: outcome.value.result } : undefined);
    const subscription = outcome.ok ? read(streamOpened, outcome.value) : undefined;
    if (subscription !== undefined) {
      // An event stream: its id is the subscription's, and it ends with `done` only when unsubscribed.
      return [{ jsonrpc: '2.0', id: call.id, result: subscription }, streamItem(subscription, dataItem(meta, call.method, content))];
    }
    if (content !== undefined) return streamFrames(call.id, [dataItem(meta, call.method, content)], meta);
    if (outcome.ok) return streamFrames(call.id, [], meta);
    const { error } = outcome;
    const item =
      errorPlacement[error.code] === 'stream'
        ? streamError(error, meta)
        : dataItem(meta, call.method, { type: 'error', message: error.message, code: error.code, ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}) });
    return streamFrames(call.id, [item], meta);
  },
  encodeFrameError: jsonRpcError,
  eventEnvelope: (subscription, now) => ({
    head: `{"jsonrpc":"2.0","method":"${HUB_CALL}","params":{"subscription":${JSON.stringify(subscription)},"result":{"type":"data","metadata":${JSON.stringify(metadata(now, [HUB_NAME, 'registry']))},"content_type":"registry.event","content":{"type":"event",`,
    tail: '}}}}',
  }),
  batchEnvelope: (subscription, now) => ({
    head: `{"jsonrpc":"2.0","method":"${HUB_CALL}","params":{"subscription":${JSON.stringify(subscription)},"result":{"type":"data","metadata":${JSON.stringify(metadata(now, [HUB_NAME, 'registry']))},"content_type":"registry.event","content":{"type":"events","events":[`,
    tail: ']}}}}',
  }),
  streamEnd: (subscription, now) => JSON.stringify(streamItem(subscription, { type: 'done', metadata: metadata(now, [HUB_NAME, 'registry']) })),
  streamError: (subscription, error, now) => JSON.stringify(streamItem(subscription, streamError(error, metadata(now, [HUB_NAME, 'registry'])))),
};
