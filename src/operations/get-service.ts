import { z } from 'zod';
import { type Service, serviceWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency, serviceName } from './schemas.js';
import { notFound } from './not-found.js';

/** One service by name; an unknown name is `not_found` (the Plexus dialects turn it into `backend: null`). */
export const getService = defineOperation({
  name: 'get_service',
  role: 'read',
  kind: 'read',
  summary: 'one service by name',
  input: z.strictObject({ name: serviceName, consistency: readConsistency }),
  output: serviceWire,
  async handle(input, ctx): Promise<Service> {
    const service = ctx.store.services.get(input.name);
    if (service === undefined) throw notFound(input.name);
    return service;
  },
});
