import { isAscii } from 'node:buffer';
import { asRevision, type Revision, type Service } from '../../domain/index.js';
import { corruption, decodeService } from '../codec.js';
import { type ViewSet, viewsOf } from '../committed.js';
import { DEFAULT_DEPLOYMENT_RETENTION } from '../types.js';
import { decodeAllocationRows } from './allocations.js';
import { decodeMetaInteger } from './codec.js';
import { decodeDeploymentRows } from './deployments.js';
import { FileIdentity } from './file-identity.js';
import { decodeTokenRows } from './tokens.js';
import { decodeServicePage, type LoadedRows, type ServicePage } from './worker-protocol.js';
import type { WorkerLink } from './worker-link.js';

/**
 * Building the views at open from what the commit worker read. Services come in pages: the
 * worker reads the next page while this thread decodes the last one, and each page's text is
 * dropped once decoded, so the table is never held twice (as rows in the worker and as their
 * copies here) and the worker keeps nothing of it.
 */

/** What opening read, decoded. */
export interface LoadedStore {
  readonly identity: FileIdentity;
  readonly views: ViewSet;
  readonly revision: Revision;
  readonly compactRevision: Revision;
}

/** Decodes one page's records onto `into`; a page whose record count does not match its text is corrupt. */
function decodePage(page: ServicePage, into: Service[]): void {
  if (page.count === 0) return;
  const bytes = Buffer.from(page.records.buffer, page.records.byteOffset, page.records.byteLength);
  // Records are mostly ASCII, which reads as Latin-1 byte for byte, several times faster than UTF-8.
  const parsed: unknown = JSON.parse(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8'));
  if (!Array.isArray(parsed) || parsed.length !== page.count) throw corruption('SQLite', 'services page', `${String(page.count)} rows, ${Array.isArray(parsed) ? String(parsed.length) : 'no list of'} records`);
  for (const record of parsed) into.push(decodeService(record));
}

/** Every service record of the file, in name order, `pageRows` to a request. */
export async function readServices(link: WorkerLink, pageRows: number): Promise<Service[]> {
  const services: Service[] = [];
  const ask = (after: string): Promise<ServicePage> => link.request({ type: 'services', after, limit: pageRows }).then(decodeServicePage);
  let next: Promise<ServicePage> | undefined = ask('');
  while (next !== undefined) {
    const page: ServicePage = await next;
    next = page.count === pageRows && page.last !== null ? ask(page.last) : undefined;
    try {
      decodePage(page, services);
    } catch (error) {
      // The page asked for ahead is no longer wanted; its failure (if any) is not this one's.
      next?.catch(() => undefined);
      throw error;
    }
  }
  return services;
}

/** The views and revisions of an opened file: the worker's rows at open and the service pages. */
export async function loadStore(link: WorkerLink, rows: LoadedRows, pageRows: number): Promise<LoadedStore> {
  const contents = {
    services: await readServices(link, pageRows),
    deployments: decodeDeploymentRows(rows.deployments),
    allocations: decodeAllocationRows(rows.allocations),
    tokens: decodeTokenRows(rows.tokens),
  };
  return {
    identity: FileIdentity.take(rows.path),
    views: viewsOf(contents, DEFAULT_DEPLOYMENT_RETENTION),
    revision: asRevision(decodeMetaInteger(rows.revision, 'revision')),
    compactRevision: asRevision(decodeMetaInteger(rows.compactRevision, 'compact_revision')),
  };
}
