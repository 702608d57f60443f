import { z } from 'zod';
import { reloadedWire } from '../domain/index.js';
import { defineOperation } from './define.js';

/** Re-read the configuration file now (the file watcher does the same on every edit). */
export const reload = defineOperation({
  name: 'reload',
  role: 'admin',
  kind: 'other',
  summary: 're-read the configuration file and apply its backends',
  input: z.strictObject({}),
  output: reloadedWire,
  async handle(_input, ctx): Promise<{ readonly count: number }> {
    return ctx.config.reload();
  },
});
