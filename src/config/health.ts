import { z } from 'zod';
import { DEFAULT_MAX_CONCURRENT_CHECKS } from '../health/index.js';

/** `[health]`: how this server runs health checks (issue 13). */
export interface HealthSettings {
  /** Whether `script` checks may be declared and run (they run commands on this host). */
  readonly allowScripts: boolean;
  /** Checks running at once on this server. */
  readonly maxConcurrent: number;
}

export const healthTable = z.strictObject({
  allow_scripts: z.boolean().optional(),
  max_concurrent: z.number().int().min(1).max(100_000).optional(),
});

/** The table with every default filled. */
export const healthSettings = (table: z.output<typeof healthTable> | undefined): HealthSettings => ({
  allowScripts: table?.allow_scripts ?? false,
  maxConcurrent: table?.max_concurrent ?? DEFAULT_MAX_CONCURRENT_CHECKS,
});
