import { z } from 'zod';
import { applyPatch, patchChangesNothing, RegistryError, type Service } from '../domain/index.js';
import { defineOperation } from './define.js';
import { hostName, metadataMap, portNumber, protocolName, serviceName, shortText, tagList, ttlSeconds, unset } from './schemas.js';

/** Change some fields of an existing backend; an absent or null field is left as it is. */
export const update = defineOperation({
  name: 'update',
  role: 'write',
  summary: 'change fields of a registered backend',
  input: z.strictObject({
    name: serviceName,
    host: unset(hostName),
    port: unset(portNumber),
    protocol: unset(protocolName),
    description: unset(shortText),
    namespace: unset(shortText),
    version: unset(shortText),
    metadata: unset(metadataMap),
    tags: unset(tagList),
    ttl: unset(ttlSeconds),
  }),
  async handle(input, ctx): Promise<Service> {
    const now = ctx.clock.now();
    const { name, ttl, ...fields } = input;
    const patch = { ...fields, ttlSeconds: ttl };
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(name);
      if (existing === undefined) throw notFound(name);
      if (patchChangesNothing(existing, patch)) return existing;
      const service = applyPatch(existing, patch, now, tx.revision);
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return service;
    });
    return value;
  },
});

export const notFound = (name: string): RegistryError =>
  new RegistryError('not_found', `service '${name}' not found`, { details: { name } });
