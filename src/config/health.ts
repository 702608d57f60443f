import { z } from 'zod';
import { DEFAULT_MAX_CONCURRENT_CHECKS } from '../health/index.js';
import { locate } from './locate.js';
import type { ConfigFile } from './schema.js';
import type { ConfigIssue } from './types.js';

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

/** A `script` check in a file that does not allow scripts is refused where it is written, not ignored later. */
export function scriptIssues(file: ConfigFile, text: string): ConfigIssue[] {
  if (file.health?.allow_scripts === true) return [];
  return (file.backend ?? []).flatMap((backend, b) =>
    (backend.check ?? []).flatMap((check, c) => {
      if (check.kind !== 'script') return [];
      const position = locate(text, ['backend', b, 'check', c, 'kind']);
      return [{
        source: 'file' as const,
        path: `backend[${b}].check[${c}].kind`,
        message: 'script checks run commands on this host; set [health] allow_scripts = true to allow them',
        ...(position === undefined ? {} : { line: position.line, column: position.column }),
      }];
    }),
  );
}
