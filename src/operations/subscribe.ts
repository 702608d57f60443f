import { z } from 'zod';
import { eventTypes, RegistryError, subscribedWire, unsubscribedWire } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { defineOperation } from './define.js';
import type { StreamHost, SubscriptionOpened } from './runtime.js';

const serviceGlob = z.string().regex(/^[A-Za-z0-9._*?-]{1,128}$/, 'must be a service name or a glob with * and ?');

/** A start the log no longer holds is `resync_required`: list the services, then subscribe from the revision given. */
function requireRetained(store: Store, since: number): void {
  if (store.compactRevision === 0 || since > store.compactRevision) return;
  throw new RegistryError('resync_required', `events up to revision ${store.compactRevision} were compacted away; list the services and subscribe from revision ${store.revision + 1}`, {
    details: { compactRevision: store.compactRevision, revision: store.revision },
  });
}

/** A connection holds a bounded number of streams: past it, `limit_exceeded`. */
function requireRoom(streams: StreamHost): void {
  if (streams.held < streams.limit) return;
  throw new RegistryError('limit_exceeded', `a connection may hold at most ${streams.limit} subscriptions`, { details: { limit: streams.limit } });
}

/**
 * Open an event stream on this connection: the events missed since `since_revision` first, in
 * order, then live ones, each exactly once. Events go out as frames of the caller's dialect.
 */
export const subscribe = defineOperation({
  name: 'subscribe',
  role: 'read',
  kind: 'other',
  summary: 'stream events, replaying from since_revision',
  input: z.strictObject({
    events: z.array(z.enum(eventTypes)).max(eventTypes.length).nullish(),
    services: z.array(serviceGlob).max(64, 'must have at most 64 names').nullish(),
    since_revision: z.number().int('must be an integer').min(0, 'must be ≥ 0').nullish(),
    batch: z.boolean().nullish(),
  }),
  output: subscribedWire,
  async handle(input, ctx): Promise<SubscriptionOpened> {
    if (input.since_revision != null) requireRetained(ctx.store, input.since_revision);
    requireRoom(ctx.streams);
    return ctx.streams.open({
      events: input.events ?? eventTypes,
      services: input.services ?? [],
      ...(input.since_revision == null ? {} : { sinceRevision: input.since_revision }),
      ...(input.batch === true ? { batch: true } : {}),
    });
  },
});

export const unsubscribe = defineOperation({
  name: 'unsubscribe',
  role: 'read',
  kind: 'other',
  summary: 'end an event stream of this connection',
  input: z.strictObject({ subscription: z.string().min(1, 'must name a subscription').max(64) }),
  output: unsubscribedWire,
  async handle(input, ctx): Promise<{ readonly subscription: string; readonly removed: boolean }> {
    return { subscription: input.subscription, removed: ctx.streams.close(input.subscription) };
  },
});
