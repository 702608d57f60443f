import { z } from 'zod';
import { isActive, isTtlAlive, type Service, serviceListWire, serviceStates } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency, shortText, tagList, unset } from './schemas.js';

/**
 * Every service, optionally only the active ones (TTL fine and no critical check; with
 * `include_unhealthy`, TTL fine only) or one namespace; served from memory.
 */
export const listServices = defineOperation({
  name: 'list_services',
  role: 'read',
  kind: 'read',
  summary: 'list services',
  input: z.strictObject({
    active_only: unset(z.boolean()),
    namespace: unset(shortText),
    /** Services carrying every one of these tags. */
    tags: unset(tagList),
    state: unset(z.enum(serviceStates)),
    include_unhealthy: unset(z.boolean()),
    consistency: readConsistency,
  }),
  output: serviceListWire,
  async handle(input, ctx): Promise<readonly Service[]> {
    const now = ctx.clock.now();
    const all = ctx.store.services.list();
    const { active_only: activeOnly, namespace, tags, state } = input;
    if (!activeOnly && namespace === undefined && tags === undefined && state === undefined) return all;
    const active = input.include_unhealthy === true ? isTtlAlive : isActive;
    return all.filter(
      (s) =>
        (!activeOnly || active(s, now)) &&
        (namespace === undefined || s.namespace === namespace) &&
        (state === undefined || s.state === state) &&
        (tags === undefined || tags.every((t) => s.tags.includes(t))),
    );
  },
});
