import { type CommittedEvent, eventTypes, type RegistryEvent, type Revision } from '../domain/index.js';

/** Decoding what a store wrote itself, shared by the SQLite and PostgreSQL backends. */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A shape check failed: the database is corrupt (a bug or tampering, never bad input). */
export function corruption(store: string, what: string, value: unknown): Error {
  return new Error(`corrupt ${what} in the ${store} store: ${JSON.stringify(value)?.slice(0, 200) ?? String(value)}`);
}

export function parseJsonObject(json: string, onCorrupt: (value: unknown) => Error): JsonObject {
  const value: unknown = JSON.parse(json);
  if (!isObject(value)) throw onCorrupt(value);
  return value;
}

const serviceEventTypes: ReadonlySet<string> = new Set([
  'ServiceRegistered',
  'ServiceUpdated',
  'ServiceDeregistered',
  'ServiceStateChanged',
  'HealthChanged',
]);

/** An event read back from the log, checked, with its place in the history. */
export function stampEvent(
  value: JsonObject,
  revision: Revision,
  index: number,
  timestamp: number,
  onCorrupt: (value: unknown) => Error,
): CommittedEvent {
  const type = value.type;
  if (typeof type !== 'string' || !eventTypes.some((known) => known === type)) throw onCorrupt(value);
  // Only the service events carry a service record; IpAllocated, DeploymentProgress… do not.
  if (serviceEventTypes.has(type) && !isObject(value.service)) throw onCorrupt(value);
  const event = value as unknown as RegistryEvent;
  return { ...event, revision, index, timestamp };
}
