import { z } from 'zod';
import type { Revision } from '../domain/index.js';
import { defineOperation } from './define.js';

export interface StatusOutput {
  readonly revision: Revision;
  readonly compactRevision: Revision;
  readonly services: number;
  readonly store: 'sqlite' | 'postgres';
  readonly uptimeSeconds: number;
  readonly role: string;
}

export const status = defineOperation({
  name: 'status',
  role: 'read',
  summary: 'the server revision, size and uptime',
  input: z.strictObject({}),
  async handle(_input, ctx): Promise<StatusOutput> {
    return {
      revision: ctx.store.revision,
      compactRevision: ctx.store.compactRevision,
      services: ctx.store.services.size,
      store: ctx.store.kind,
      uptimeSeconds: Math.floor((ctx.clock.now() - ctx.startedAt) / 1000),
      role: ctx.principal.role,
    };
  },
});
