/** @module protocol — the three wire dialects, each a thin adapter onto the operation table. */
export { dialects, detectDialect, parseFrame, type Parsed } from './detect.js';
export { envelopeDialect } from './envelope.js';
export { encodeEventBody, encodeEventData } from './event-frames.js';
export { HUB_CALL, HUB_UNSUB, hubDialect } from './hub.js';
export { newSubscriptionId } from './subscription-id.js';
export { jsonRpcCodes } from './jsonrpc-codes.js';
export { jsonRpcDialect } from './jsonrpc.js';
export { plexusMethods } from './plexus-methods.js';
export {
  type Call,
  type Decoded,
  type Dialect,
  type DialectName,
  type EventEnvelope,
  dialectNames,
  type Frame,
  FrameError,
  type Outcome,
  type RequestId,
} from './types.js';
export { decodeService, encodeBackend, encodeService, toSeconds } from './wire-service.js';
export { decodeCheck, decodeCheckOutput, decodeCheckRow, decodeHealthReport, encodeCheck } from './wire-check.js';
export { decodeResolvedEndpoint, decodeTopology, encodeTopology } from './wire-topology.js';
