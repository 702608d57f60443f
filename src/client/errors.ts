/**
 * Failures that happen on the client's side of the wire. A failure the server reports
 * arrives as a `RegistryError` with the server's code; these classes are everything else.
 * Each has a stable snake_case `code` so a CLI can print and map it like a server code.
 */

/** The options given to `RegistryClient.connect` do not make sense together or alone. */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
  readonly code = 'invalid_argument';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The connection could not be opened: refused, TLS verification, pinned fingerprint, handshake. */
export class ConnectionFailedError extends Error {
  override readonly name = 'ConnectionFailedError';
  readonly code = 'connection_failed';
  constructor(
    readonly url: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The connection ended (closed by either side or lost) before the request was answered. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  readonly code = 'connection_closed';
  constructor(message = 'the connection is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** No answer came within the request timeout; the connection stays open. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'request_timeout';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`no answer to '${operation}' within ${timeoutMs} ms`, options);
  }
}

/** Every client-side error class, for `instanceof` checks in one place. */
export const clientErrors = {
  InvalidArgumentError,
  ConnectionFailedError,
  ConnectionClosedError,
  RequestTimeoutError,
} as const;

export type ClientError = InvalidArgumentError | ConnectionFailedError | ConnectionClosedError | RequestTimeoutError;

export const isClientError = (error: unknown): error is ClientError =>
  error instanceof InvalidArgumentError ||
  error instanceof ConnectionFailedError ||
  error instanceof ConnectionClosedError ||
  error instanceof RequestTimeoutError;
