import { type EventType, RegistryError, type Service } from '../domain/index.js';
import { decodeService } from '../protocol/index.js';

/** One event as the client hands it out: the wire `data` plus the service decoded when there is one. */
export interface StreamedEvent {
  readonly type: EventType;
  readonly revision: number;
  readonly index: number;
  /** Commit time, Unix seconds. */
  readonly timestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly service?: Service;
}

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

export function decodeStreamedEvent(frame: Readonly<Record<string, unknown>>): StreamedEvent {
  const data = typeof frame.data === 'object' && frame.data !== null ? (frame.data as Record<string, unknown>) : {};
  const event: StreamedEvent = {
    type: String(frame.event) as EventType,
    revision: Number(frame.revision),
    index: Number(frame.index ?? 0),
    timestamp: Number(frame.timestamp ?? 0),
    data,
  };
  return data.service !== undefined && typeof data.service === 'object' ? { ...event, service: decodeService(data.service) } : event;
}

/** Full jitter: a random delay up to the exponential cap, so reconnecting clients spread out. */
export const reconnectDelay = (attempt: number, baseMs: number, maxMs: number): number =>
  Math.floor(Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20)));

/** Is this failure worth another connection attempt, or final? */
export function isFinal(error: unknown): boolean {
  return error instanceof RegistryError && ['resync_required', 'invalid_params', 'unauthorized', 'forbidden'].includes(error.code);
}
