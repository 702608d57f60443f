import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RegistryError } from '../../domain/index.js';

/** A pool or one of its clients. */
export type Queryable = pg.Pool | pg.ClientBase;

export interface Checkout {
  readonly client: pg.PoolClient;
  /** Gives the client back; a client whose connection failed (or `broken`) is dropped, not reused. */
  release(broken?: Error): void;
}

/**
 * Checks a client out with an error listener of its own: a connection that breaks between two
 * statements (PostgreSQL restarting) emits 'error' on the client, which must not crash the process.
 */
export async function checkout(pool: pg.Pool): Promise<Checkout> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure = error;
  };
  client.on('error', onError);
  return {
    client,
    release: (broken) => {
      client.off('error', onError);
      client.release(broken ?? failure);
    },
  };
}

const statementNames = new Map<string, string>();

/**
 * A prepared-statement name for `text`: each connection parses and plans a statement once,
 * then reuses it (the commit statement's planning cost more than its execution). The texts are
 * built from a fixed set of parts, so there are few of them.
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `registry_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Runs a statement and hands its rows over as `unknown`, for the decoders in codec.ts. */
export async function select(q: Queryable, text: string, values: readonly unknown[] = []): Promise<readonly unknown[]> {
  const result = await q.query<Record<string, unknown>>({ name: statementName(text), text, values: [...values] });
  return result.rows;
}

export async function run(q: Queryable, text: string, values: readonly unknown[] = []): Promise<void> {
  await q.query({ name: statementName(text), text, values: [...values] });
}

/** SQLSTATEs after which the same transaction may succeed when run again. */
const retryable: ReadonlySet<string> = new Set(['40001', '40P01']);

/** The SQLSTATE of a server error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A serialisation failure or a deadlock: the write functions may run again. */
export const isRetryable = (error: unknown): boolean => retryable.has(sqlState(error) ?? '');

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(location: string): string {
  try {
    const url = new URL(location);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Wraps a database fault as `unavailable` with its reason (connection refused, no such database); a RegistryError passes through. */
export function unavailable(message: string, cause: unknown): RegistryError {
  if (cause instanceof RegistryError) return cause;
  const reason = cause instanceof Error ? (cause.message || (cause instanceof AggregateError ? cause.errors.map(String).join('; ') : '')) : String(cause);
  return new RegistryError('unavailable', reason === '' ? message : `${message}: ${reason}`, { cause });
}
