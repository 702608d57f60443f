import type { ErrorCode } from '../domain/index.js';

/** JSON-RPC 2.0 error numbers: the standard ones, then application errors from -32000 down. */
export const jsonRpcCodes = {
  parse_error: -32700,
  invalid_frame: -32600,
  frame_too_large: -32600,
  unknown_operation: -32601,
  invalid_params: -32602,
  internal: -32603,
  unavailable: -32000,
  unauthorized: -32001,
  forbidden: -32002,
  not_found: -32004,
  conflict: -32009,
  illegal_transition: -32010,
  config_invalid: -32011,
  resync_required: -32012,
  slow_consumer: -32013,
  cursor_expired: -32014,
  network_exhausted: -32020,
  address_unavailable: -32021,
  deployment_in_progress: -32030,
  deployment_failed: -32031,
  package_invalid: -32032,
  host_key_mismatch: -32033,
  limit_exceeded: -32028,
  rate_limited: -32029,
} as const satisfies Record<ErrorCode, number>;
