import type { CommittedEvent } from '../../domain/index.js';
import { decodeEventRow } from './codec.js';
import { decodeJournalRow, decodeMeta, type JournalRow, type MetaRow } from './load.js';
import type { Queryable } from './sql.js';

/** Journal entries read per query while catching up. */
export const JOURNAL_PAGE = 1_000;

/** What other servers committed since a server's generation, read in one round trip. */
export interface Ahead {
  readonly meta: MetaRow;
  readonly journal: readonly JournalRow[];
  readonly events: readonly CommittedEvent[];
  /** The journal reaches meta's generation within one page, and the events up to it came along. */
  readonly complete: boolean;
}

/**
 * The statements that read meta, the journal after `generation` and the events after `revision`.
 * They go in simple queries, which take no parameters: both numbers are the server's own integers.
 * When the server is a page or more behind, the events are left out and a paged catch-up follows.
 */
export function aheadStatements(generation: number, revision: number): readonly string[] {
  const gen = String(Math.trunc(generation));
  const rev = String(Math.trunc(revision));
  const page = String(JOURNAL_PAGE);
  return [
    'SELECT generation, revision, compact_revision FROM meta WHERE id = 1',
    `SELECT generation, revision, compact_revision, changes FROM commits WHERE generation > ${gen} ORDER BY generation LIMIT ${page}`,
    `SELECT revision, idx, timestamp, data FROM events WHERE revision > ${rev}
       AND revision <= (SELECT revision FROM meta WHERE id = 1)
       AND (SELECT generation FROM meta WHERE id = 1) - ${gen} < ${page}
     ORDER BY revision, idx`,
  ];
}

/** The rows of each statement of a multi-statement query (pg answers an array of results). */
export function rowsPerStatement(result: unknown): unknown[][] {
  const results: unknown[] = Array.isArray(result) ? result : [result];
  return results.map((one) => {
    if (typeof one !== 'object' || one === null || !('rows' in one) || !Array.isArray(one.rows)) return [];
    const rows: unknown[] = one.rows;
    return rows;
  });
}

/** Decodes the rows of the three aheadStatements, in their order. */
export function decodeAhead(metaRows: readonly unknown[], journalRows: readonly unknown[], eventRows: readonly unknown[]): Ahead {
  const meta = decodeMeta(metaRows[0]);
  const journal = journalRows.map(decodeJournalRow);
  const complete = journal.length < JOURNAL_PAGE && (journal.at(-1)?.generation ?? meta.generation) === meta.generation;
  return { meta, journal, events: complete ? eventRows.map(decodeEventRow) : [], complete };
}

/** Reads ahead in one round trip, in a read-only snapshot so the three reads agree. */
export async function readAhead(q: Queryable, generation: number, revision: number): Promise<Ahead> {
  const text = ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', ...aheadStatements(generation, revision), 'COMMIT'].join(';\n');
  const [, metaRows = [], journalRows = [], eventRows = []] = rowsPerStatement(await q.query(text));
  return decodeAhead(metaRows, journalRows, eventRows);
}
