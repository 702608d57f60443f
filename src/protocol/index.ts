/** @module protocol — the three wire dialects, each a thin adapter onto the operation table. */
export { dialects, detectDialect, parseFrame, type Parsed } from './detect.js';
export { envelopeDialect, envelopeErrorObject } from './envelope.js';
export { decodeHttpCall, encodeHttpError, EVENTS_PATH, HTTP_API_PREFIX, httpRoutes, httpStatuses } from './http.js';
export { encodeEventBody, encodeEventData } from './event-frames.js';
export { HUB_CALL, HUB_UNSUB, hubDialect } from './hub.js';
export { newSubscriptionId } from './subscription-id.js';
export { lastEventRevision, SSE_KEEPALIVE, SSE_RETRY_MS, sseError, sseEventFields, sseFraming, sseOpening } from './sse.js';
export { jsonRpcCodes } from './jsonrpc-codes.js';
export { jsonRpcDialect } from './jsonrpc.js';
export { plexusContentSchemas, plexusMethods } from './plexus-methods.js';
export {
  type Call,
  type Decoded,
  type Dialect,
  type DialectName,
  type EventEnvelope,
  type StreamFraming,
  type Surface,
  dialectNames,
  type Frame,
  FrameError,
  type Outcome,
  type RequestId,
} from './types.js';
export { type Answer, answerOf } from './wire-results.js';
export { encodeService, toSeconds } from './wire-service.js';
export { encodeCheck } from './wire-check.js';
export { encodeTopology } from './wire-topology.js';
