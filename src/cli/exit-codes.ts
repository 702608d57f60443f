import { CommanderError } from 'commander';
import { isClientError } from '../client/index.js';
import { type ErrorCode, RegistryError } from '../domain/index.js';

/** Process exit codes: scripts can tell "not there" from "not allowed" from "not reachable". */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  denied: 4,
  unavailable: 5,
  /** Interrupted by a second signal while shutting down (128 + SIGINT). */
  interrupted: 130,
} as const;

const byServerCode = {
  parse_error: EXIT.failure,
  invalid_frame: EXIT.failure,
  frame_too_large: EXIT.failure,
  unknown_operation: EXIT.usage,
  invalid_params: EXIT.usage,
  unauthorized: EXIT.denied,
  forbidden: EXIT.denied,
  not_found: EXIT.notFound,
  conflict: EXIT.failure,
  illegal_transition: EXIT.failure,
  config_invalid: EXIT.usage,
  resync_required: EXIT.failure,
  cursor_expired: EXIT.failure,
  slow_consumer: EXIT.unavailable,
  network_exhausted: EXIT.failure,
  address_unavailable: EXIT.failure,
  deployment_in_progress: EXIT.unavailable,
  deployment_failed: EXIT.failure,
  package_invalid: EXIT.usage,
  host_key_mismatch: EXIT.denied,
  limit_exceeded: EXIT.unavailable,
  rate_limited: EXIT.unavailable,
  unavailable: EXIT.unavailable,
  internal: EXIT.failure,
} as const satisfies Record<ErrorCode, number>;

const byClientCode = {
  invalid_argument: EXIT.usage,
  connection_failed: EXIT.unavailable,
  connection_closed: EXIT.unavailable,
  request_timeout: EXIT.unavailable,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof RegistryError) return byServerCode[error.code];
  if (isClientError(error)) return byClientCode[error.code];
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return EXIT.failure;
}

/** `error [code]: message`, the one shape every failure is printed in. */
export function describeError(error: unknown): string {
  if (error instanceof RegistryError || isClientError(error)) return `error [${error.code}]: ${error.message}`;
  if (error instanceof Error) return `error [internal]: ${error.message}`;
  return `error [internal]: ${String(error)}`;
}
