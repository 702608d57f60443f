import type { RegistryError } from '../domain/index.js';
import type { Answer } from './wire-results.js';

export const dialectNames = ['envelope', 'jsonrpc', 'hub'] as const;
export type DialectName = (typeof dialectNames)[number];
/** Where a call came in: a WebSocket dialect, or the HTTP read API. */
export type Surface = DialectName | 'http';

export type RequestId = string | number | null;

/** The longest string id an answer repeats; a longer one is refused as an invalid frame. */
export const MAX_ID_CHARS = 256;

/** A request id that may be echoed: a number, or a string of at most MAX_ID_CHARS; anything else is null. */
export const echoableId = (raw: unknown): RequestId =>
  typeof raw === 'number' || (typeof raw === 'string' && raw.length <= MAX_ID_CHARS) ? raw : null;
/** One JSON object to send as a text frame. */
export type Frame = Readonly<Record<string, unknown>>;

/** A request decoded from any dialect: the operation to run and its raw (unvalidated) input. */
export interface Call {
  readonly dialect: Surface;
  readonly id: RequestId;
  /** The name the caller used on the wire (`registry.list`, `list_services`). */
  readonly method: string;
  readonly op: string;
  readonly input: unknown;
  /** A JSON-RPC notification (no id): run it, answer nothing. */
  readonly silent: boolean;
}

/** How a call ended: its operation's answer (already in the wire shape), or the error. */
export type Outcome = { readonly ok: true; readonly value: Answer } | { readonly ok: false; readonly error: RegistryError };

/** What decoding a frame gives: a call to dispatch, or frames to answer at once. */
export type Decoded =
  | { readonly kind: 'call'; readonly call: Call }
  /** Answered by the dialect itself; `call` says how to answer a refusal (rate limit, pending limit) instead. */
  | { readonly kind: 'reply'; readonly call: Call; readonly frames: readonly Frame[] };

/** The text of an event frame before and after the shared event body. */
export interface EventEnvelope {
  readonly head: string;
  readonly tail: string;
}

/** What an event stream needs of its transport's framing (a dialect, or Server-Sent Events). */
export interface StreamFraming {
  /**
   * What goes around the shared text of encodeEventBody in one subscription's event frame:
   * `head + body + tail` is the frame. The body is serialised once for every subscriber.
   */
  eventEnvelope(subscription: string, now: number): EventEnvelope;
  /**
   * What goes around several events in one frame, for a subscription that asked for batches:
   * `head + '{' + body1 + '},{' + body2 + '}' + tail`, each event an object of its own that
   * carries its revision. Absent: the transport sends one frame per event.
   */
  batchEnvelope?(subscription: string, now: number): EventEnvelope;
  /** The frame that ends a subscription's stream, if the transport has one. */
  streamEnd(subscription: string, now: number): string | undefined;
  /** The last frame of a subscription the server ended, saying why (e.g. `unauthorized` once its token is revoked). */
  streamError(subscription: string, error: RegistryError, now: number): string;
}

export interface Dialect extends StreamFraming {
  readonly name: DialectName;
  /** Throws FrameError for an envelope it cannot read. */
  decode(message: Readonly<Record<string, unknown>>, now: number): Decoded;
  /** Frames the outcome, whose answer is already in the wire shape; `now` stamps the hub call's metadata. */
  encode(call: Call, outcome: Outcome, now: number): readonly Frame[];
  /** An error for a frame that never became a call (bad JSON, bad envelope, too large). */
  encodeFrameError(id: RequestId, error: RegistryError): Frame;
}

/** A frame that could not be read as a request; carries the id when one could be recovered. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly id: RequestId,
    readonly error: RegistryError,
  ) {
    super(error.message, { cause: error });
  }
}
