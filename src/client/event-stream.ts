import { type EventType, eventWire, type EventWire, RegistryError } from '../domain/index.js';

/**
 * One event as the client hands it out: exactly the event of the wire (`event`, `revision`,
 * `index`, `timestamp` in Unix seconds, and `data` typed by the event), without the frame around it.
 */
export type StreamedEvent = EventWire;

export type StreamStatus =
  | { readonly type: 'connected'; readonly since: number | undefined }
  | { readonly type: 'disconnect'; readonly reason: string }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'closed'; readonly reason?: Error };

export interface SubscribeOptions {
  readonly events?: readonly EventType[];
  readonly services?: readonly string[];
  /** The first revision wanted; absent means only events committed from now on. */
  readonly sinceRevision?: number;
  /**
   * Ask the server to send the events that queue up together as one frame (fewer frames to read
   * under load). The stream yields them one by one all the same, and resumes by revision as ever.
   * @default false
   */
  readonly batch?: boolean;
  /**
   * Base of the jittered exponential reconnect delay.
   * @default 100
   */
  readonly reconnectBaseMs?: number;
  /** @default 5_000 */
  readonly reconnectMaxMs?: number;
  /** Called on every change of the connection behind the stream. */
  readonly onStatus?: (status: StreamStatus) => void;
}

export const DEFAULT_RECONNECT_BASE_MS = 100;
export const DEFAULT_RECONNECT_MAX_MS = 5_000;

/**
 * An event frame read with the event schema; undefined for an event this client cannot read (a
 * newer server's event type). The frame's `type` and `subscription` are the envelope, not the event.
 */
export function decodeStreamedEvent(frame: Readonly<Record<string, unknown>>): StreamedEvent | undefined {
  const parsed = eventWire.safeParse(frame);
  return parsed.success ? parsed.data : undefined;
}

/** Full jitter: a random delay up to the exponential cap, so reconnecting clients spread out. */
export const reconnectDelay = (attempt: number, baseMs: number, maxMs: number): number =>
  Math.floor(Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20)));

/** Is this failure worth another connection attempt, or final? */
export function isFinal(error: unknown): boolean {
  return error instanceof RegistryError && ['resync_required', 'invalid_params', 'unauthorized', 'forbidden'].includes(error.code);
}
