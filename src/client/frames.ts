/**
 * Reading action-envelope frames: answers by id, events, and the errors a server sends. The
 * answers themselves are read with their operation's schema (answers.ts).
 */
import { type ErrorCode, isErrorCode, RegistryError } from '../domain/index.js';

type Wire = Readonly<Record<string, unknown>>;

export const asObject = (value: unknown): Wire | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : undefined;
const obj = (value: unknown): Wire => asObject(value) ?? {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A server error as the envelope carries it; an unknown code becomes `internal`, keeping the original. */
export function decodeServerError(wire: unknown): RegistryError {
  const w = obj(wire);
  const details = { ...obj(w.details) };
  let code: ErrorCode = 'internal';
  if (isErrorCode(w.code)) code = w.code;
  else details.wireCode = w.code;
  const message = typeof w.message === 'string' && w.message !== '' ? w.message : undefined;
  return new RegistryError(code, message, { details });
}

/** An incoming frame, sorted by what the client does with it. */
export type IncomingFrame =
  | { readonly type: 'response'; readonly id: string; readonly ok: true; readonly result: unknown }
  | { readonly type: 'response'; readonly id: string; readonly ok: false; readonly error: RegistryError }
  | { readonly type: 'event'; readonly frame: Wire }
  /** A batch of a subscription that asked for them (`subscribe {batch: true}`): each as its own event frame, in order. */
  | { readonly type: 'events'; readonly frames: readonly Wire[] }
  /** The server ended a subscription, saying why (e.g. `unauthorized` once its token was revoked). */
  | { readonly type: 'stream_error'; readonly subscription: string; readonly error: RegistryError }
  | { readonly type: 'unknown'; readonly frame: unknown };

/** `{"type":"events","subscription":S,"events":[{…},…]}` as the event frames it stands for. */
function batchedEvents(batch: Wire): Wire[] {
  const events = Array.isArray(batch.events) ? (batch.events as unknown[]) : [];
  return events.flatMap((item) => {
    const event = asObject(item);
    return event === undefined ? [] : [{ ...event, type: 'event', subscription: batch.subscription }];
  });
}

export function decodeFrame(text: string): IncomingFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'unknown', frame: text };
  }
  const frame = asObject(value);
  if (frame === undefined) return { type: 'unknown', frame: value };
  if (frame.type === 'event') return { type: 'event', frame };
  if (frame.type === 'events' && Array.isArray(frame.events)) return { type: 'events', frames: batchedEvents(frame) };
  if (frame.type === 'stream_error') return { type: 'stream_error', subscription: str(frame.subscription), error: decodeServerError(frame.error) };
  if (frame.type !== 'response' || (typeof frame.id !== 'string' && typeof frame.id !== 'number')) {
    return { type: 'unknown', frame };
  }
  const id = String(frame.id);
  if (frame.error !== undefined) return { type: 'response', id, ok: false, error: decodeServerError(frame.error) };
  return { type: 'response', id, ok: true, result: frame.result };
}
