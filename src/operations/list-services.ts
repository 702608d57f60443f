import { z } from 'zod';
import { isActive, type Service } from '../domain/index.js';
import { defineOperation } from './define.js';
import { shortText, unset } from './schemas.js';

/** Every service, optionally only the active ones or one namespace; served from memory. */
export const listServices = defineOperation({
  name: 'list_services',
  role: 'read',
  summary: 'list services',
  input: z.strictObject({
    active_only: unset(z.boolean()),
    namespace: unset(shortText),
  }),
  async handle(input, ctx): Promise<readonly Service[]> {
    const now = ctx.clock.now();
    const all = ctx.store.services.list();
    if (!input.active_only && input.namespace === undefined) return all;
    return all.filter(
      (s) => (!input.active_only || isActive(s, now)) && (input.namespace === undefined || s.namespace === input.namespace),
    );
  },
});
