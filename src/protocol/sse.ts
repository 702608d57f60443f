/**
 * Server-Sent Events framing of `GET /v1/events`. Each event is one SSE message: `event:` its
 * type, `data:` the action envelope's event object without `type` and `subscription`
 * (`{"event","revision","index","timestamp","data"}`, the same shared body every dialect carries),
 * and on the last event of each revision `id:` the revision. A client that reconnects with
 * `Last-Event-ID: N` (EventSource does it by itself) gets every event after revision N, each once:
 * since only a revision's last event carries the id, a stream cut inside a revision resumes at its start.
 */
import type { RegistryError } from '../domain/index.js';
import { envelopeErrorObject } from './envelope.js';
import type { StreamFraming } from './types.js';

/** How long EventSource waits before it reconnects, in ms (the `retry:` field). */
export const SSE_RETRY_MS = 2_000;

/** The text around each event's shared body; the `event:` and `id:` lines go before it (sseEventFields). */
export const sseFraming: StreamFraming = {
  eventEnvelope: () => ({ head: 'data: {', tail: '}\n\n' }),
  streamEnd: () => undefined,
  streamError: (_subscription, error) => sseError(error),
};

/** The lines that precede an event's `data:`: its type, and the revision when it is the revision's last event. */
export const sseEventFields = (type: string, revision: number | undefined): string =>
  revision === undefined ? `event: ${type}\n` : `event: ${type}\nid: ${revision}\n`;

/** The first message of a stream: the `subscribe` answer (`{subscription, revision}`), and how long to wait before reconnecting. */
export const sseOpening = (answer: unknown): string => `retry: ${SSE_RETRY_MS}\nevent: subscribed\ndata: ${JSON.stringify(answer)}\n\n`;

/** The last message of a stream the server ended: `event: stream_error` with the action envelope's error object. */
export const sseError = (error: RegistryError): string => `event: stream_error\ndata: ${JSON.stringify({ error: envelopeErrorObject(error) })}\n\n`;

/** A comment line: ignored by clients, it keeps idle proxies from closing the stream. */
export const SSE_KEEPALIVE = ': keepalive\n\n';

/** `Last-Event-ID` as the revision to resume after: a whole number, or an error naming the header. */
export function lastEventRevision(header: string | undefined): number | undefined | Error {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (!/^\d{1,15}$/.test(text)) return new Error('Last-Event-ID: must be a revision (a whole number ≥ 0)');
  return Number(text);
}
