import { createHash } from 'node:crypto';
import type { Store, WriteRequest } from '../store/index.js';
import type { OperationContext, OperationKind } from './define.js';

/** A field of parsed params, whatever their type. */
const paramOf = (input: unknown, key: string): unknown => (typeof input === 'object' && input !== null ? Reflect.get(input, key) : undefined);

/** What the call asked, without its request id: a retry must ask the same. */
function fingerprintOf(operation: string, input: unknown): string {
  const params = typeof input === 'object' && input !== null ? { ...input, request_id: undefined } : input;
  return createHash('sha256').update(`${operation}\n${JSON.stringify(params) ?? ''}`).digest('base64url');
}

/**
 * The store as a write with a request id sees it: its one write carries the id, so a retry gets
 * the first call's outcome. A second write under the same id is a bug in the operation (a
 * `write` operation writes once), and throws.
 */
function scopedToRequest(store: Store, request: WriteRequest): Store {
  let written = false;
  const write: Store['write'] = (fn, options) => {
    if (written) return Promise.reject(new Error(`operation with request_id '${request.id}' wrote twice: a write operation writes once`));
    written = true;
    return store.write(fn, { ...options, request });
  };
  // Every other member reads through to the store itself (its getters need it as `this`).
  return new Proxy(store, {
    get: (target, key) => {
      if (key === 'write') return write;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * What a call's kind asks of the server before its handler runs: a read waits until this server
 * has applied every earlier commit (unless `consistency: "stale"`); a write with a `request_id`
 * gets a store that makes it exactly-once.
 */
export async function contextForKind(kind: OperationKind, operation: string, input: unknown, ctx: OperationContext): Promise<OperationContext> {
  if (kind === 'read') {
    if (paramOf(input, 'consistency') !== 'stale') await ctx.store.caughtUp?.();
    return ctx;
  }
  const id = kind === 'write' ? paramOf(input, 'request_id') : undefined;
  if (typeof id !== 'string') return ctx;
  return { ...ctx, store: scopedToRequest(ctx.store, { id, fingerprint: fingerprintOf(operation, input) }) };
}

/** The param a kind of operation must take (`consistency`, `request_id`); checked when the table is built. */
export const paramOfKind: Readonly<Record<OperationKind, string | undefined>> = { read: 'consistency', write: 'request_id', other: undefined };
