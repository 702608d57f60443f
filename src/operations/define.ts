import type { z } from 'zod';
import type { Clock, GrantedRole, Role } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { ConnectionInfo, RuntimeServices, StreamHost } from './runtime.js';

/** The roles an operation may require: every operation needs at least `read`… */
export type RequiredRole = GrantedRole;
/** …except `authenticate`, which a caller without credentials must reach to present them. */
export type OperationRole = RequiredRole | 'none';

/**
 * What a call does to the registry, which decides what it takes and whether it may be sent again:
 * - `read` changes nothing and answers from the registry's state. It takes `consistency`: by
 *   default the server first applies every commit made before the call arrived (PostgreSQL), and
 *   `stale` answers from what it holds at once. Safe to send again.
 * - `write` changes the registry in one write. It takes `request_id`: a retry with the same id gets
 *   the first call's outcome instead of writing twice (kept for DEFAULT_REQUEST_WINDOW_MS).
 * - `other` is neither (streams, credentials, reloads, deployments, secrets): never sent again.
 */
export const operationKinds = ['read', 'write', 'other'] as const;
export type OperationKind = (typeof operationKinds)[number];

/** Who is calling, as the server established it from the connection. */
export interface Principal {
  readonly role: Role;
  /** How the role was established: loopback, token name, certificate subject, or internal. */
  readonly via: string;
  /** The caller's remote address, when it came over a socket. */
  readonly remoteAddress?: string;
}

/** The caller's connection as the holder of its credentials (SECURITY.md). */
export interface CredentialHost {
  /**
   * Checks a bearer token presented in a frame (for clients that cannot set headers); from then
   * on the connection holds the highest of its roles. Throws `unauthorized` for an unknown token.
   */
  presentToken(secret: string): Principal;
}

/** Services the server lends to handlers that need more than the store. */
export interface ConfigReloader {
  /** Re-reads the configuration file and brings `source=file` entries in line with it. */
  reload(): Promise<{ readonly count: number }>;
}

export interface OperationContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly principal: Principal;
  readonly config: ConfigReloader;
  readonly newId: () => string;
  readonly startedAt: number;
  readonly runtime: RuntimeServices;
  readonly connection: ConnectionInfo;
  readonly streams: StreamHost;
  /** Absent when the call does not come over a connection that can change its credentials. */
  readonly credentials?: CredentialHost;
}

/**
 * An operation is data: its name, the least role that may call it, its schemas and its handler.
 * `input` is what a caller sends; `output` is the answer as every dialect carries it (the wire
 * shape: snake_case, Unix seconds). The handler returns domain values; src/protocol encodes them
 * into `output`, and the client library parses answers with it.
 */
export interface Operation<
  Name extends string = string,
  Schema extends z.ZodType = z.ZodType,
  Out = unknown,
  Wire extends z.ZodType = z.ZodType,
  Kind extends OperationKind = OperationKind,
> {
  readonly name: Name;
  readonly role: OperationRole;
  readonly kind: Kind;
  readonly summary: string;
  readonly input: Schema;
  readonly output: Wire;
  // Method syntax on purpose: it lets every operation sit in one table of AnyOperation.
  handle(input: z.output<Schema>, ctx: OperationContext): Promise<Out>;
}

export function defineOperation<Name extends string, Schema extends z.ZodType, Out, Wire extends z.ZodType, Kind extends OperationKind>(
  op: Operation<Name, Schema, Out, Wire, Kind>,
): Operation<Name, Schema, Out, Wire, Kind> {
  return op;
}

export type AnyOperation = Operation<string, z.ZodType, unknown, z.ZodType, OperationKind>;
/** What a caller sends (before defaults and transforms). */
export type InputOf<O> = O extends Operation<string, infer S, unknown, z.ZodType> ? z.input<S> : never;
/** What the handler returns: domain values, before the wire encoding. */
export type OutputOf<O> = O extends Operation<string, z.ZodType, infer Out, z.ZodType> ? Out : never;
/** What a call of the operation does (`read`, `write` or `other`), as a literal type. */
export type KindOf<O> = O extends Operation<string, z.ZodType, unknown, z.ZodType, infer K> ? K : never;
