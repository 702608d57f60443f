/**
 * The only list of error codes. Every dialect maps each code to its wire shape
 * (`satisfies Record<ErrorCode, …>`), and docs/errors.md is tested against it.
 */
export const errorCodes = {
  parse_error: { retry: false, text: 'the frame is not valid JSON' },
  invalid_frame: { retry: false, text: 'the frame is not a known request envelope' },
  frame_too_large: { retry: false, text: 'the frame is larger than the server accepts' },
  unknown_operation: { retry: false, text: 'no such operation or method' },
  invalid_params: { retry: false, text: 'the params do not match the operation schema' },
  unauthorized: { retry: false, text: 'no credentials were presented' },
  forbidden: { retry: false, text: 'the caller role may not run this operation' },
  not_found: { retry: false, text: 'no such service' },
  conflict: { retry: true, text: 'a concurrent change conflicted; try again' },
  illegal_transition: { retry: false, text: 'the service cannot move from its state to the one asked' },
  config_invalid: { retry: false, text: 'the configuration file does not parse or validate' },
  resync_required: { retry: false, text: 'the revision asked for was compacted away; take a snapshot' },
  cursor_expired: { retry: false, text: 'the listing snapshot of this cursor is gone; list again from the start' },
  slow_consumer: { retry: true, text: 'the subscriber fell too far behind and was cut off; resume from its last revision' },
  network_exhausted: { retry: false, text: 'no free address is left in the network' },
  address_unavailable: { retry: false, text: 'the address asked for is taken, reserved or outside the network' },
  deployment_in_progress: { retry: true, text: 'another deployment of this service to this node is running' },
  deployment_failed: { retry: false, text: 'the deployment failed and was rolled back' },
  package_invalid: { retry: false, text: 'the package or its manifest is not valid' },
  host_key_mismatch: { retry: false, text: 'the SSH host key differs from the pinned one' },
  limit_exceeded: { retry: true, text: 'a connection, subscription or request limit was reached' },
  rate_limited: { retry: true, text: 'too many requests on this connection' },
  unavailable: { retry: true, text: 'the server is shutting down, its store is unavailable, or the service asked for is unhealthy' },
  internal: { retry: false, text: 'unexpected server fault' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(errorCodes, value);

/** The most characters of a caller's text (a method name, a field path) an error repeats. */
export const MAX_ECHO_CHARS = 128;

/**
 * A caller's text as an error message may repeat it: cut to MAX_ECHO_CHARS, saying how long it
 * was. An answer never grows with what the question sent.
 */
export function echoed(text: string): string {
  return text.length <= MAX_ECHO_CHARS ? text : `${text.slice(0, MAX_ECHO_CHARS)}… (${text.length} characters)`;
}

export interface RegistryErrorOptions extends ErrorOptions {
  details?: Record<string, unknown>;
}

/** An expected failure with a stable code; a plain Error means a bug. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: ErrorCode,
    message: string = errorCodes[code].text,
    options: RegistryErrorOptions = {},
  ) {
    super(message, options);
    this.details = Object.freeze({ ...options.details });
  }
}
