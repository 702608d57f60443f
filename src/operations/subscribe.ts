import { z } from 'zod';
import { eventTypes } from '../domain/index.js';
import { defineOperation } from './define.js';
import type { SubscriptionOpened } from './runtime.js';

const serviceGlob = z.string().regex(/^[A-Za-z0-9._*?-]{1,128}$/, 'must be a service name or a glob with * and ?');

/**
 * Open an event stream on this connection: the events missed since `since_revision` first, in
 * order, then live ones, each exactly once. Events go out as frames of the caller's dialect.
 */
export const subscribe = defineOperation({
  name: 'subscribe',
  role: 'read',
  summary: 'stream events, replaying from since_revision',
  input: z.strictObject({
    events: z.array(z.enum(eventTypes)).max(eventTypes.length).nullish(),
    services: z.array(serviceGlob).max(64, 'must have at most 64 names').nullish(),
    since_revision: z.number().int('must be an integer').min(0, 'must be ≥ 0').nullish(),
  }),
  async handle(input, ctx): Promise<SubscriptionOpened> {
    return ctx.streams.open({
      events: input.events ?? eventTypes,
      services: input.services ?? [],
      ...(input.since_revision == null ? {} : { sinceRevision: input.since_revision }),
    });
  },
});

export const unsubscribe = defineOperation({
  name: 'unsubscribe',
  role: 'read',
  summary: 'end an event stream of this connection',
  input: z.strictObject({ subscription: z.string().min(1, 'must name a subscription').max(64) }),
  async handle(input, ctx): Promise<{ readonly subscription: string; readonly removed: boolean }> {
    return { subscription: input.subscription, removed: ctx.streams.close(input.subscription) };
  },
});
