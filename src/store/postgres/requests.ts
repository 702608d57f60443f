import { decodeOutcomeRow, type RecordedOutcome } from '../requests.js';
import { type Queryable, select } from './sql.js';

/** The outcomes kept for `ids` since `notBefore` (ms), read under the write lock (so a retry on another server sees them). */
export async function readOutcomes(q: Queryable, ids: readonly string[], notBefore: number): Promise<Map<string, RecordedOutcome>> {
  const found = new Map<string, RecordedOutcome>();
  if (ids.length === 0) return found;
  const text = 'SELECT id, fingerprint, value, revision, created_at FROM requests WHERE id = ANY($1::text[]) AND created_at >= $2';
  const rows = await select(q, text, [ids, notBefore]);
  for (const row of rows) {
    const outcome = decodeOutcomeRow('PostgreSQL', row);
    found.set(outcome.id, outcome);
  }
  return found;
}
