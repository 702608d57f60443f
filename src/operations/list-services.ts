import { z } from 'zod';
import { isActive, isTtlAlive, type Revision, type Service, serviceListingWire, serviceStates } from '../domain/index.js';
import { defineOperation } from './define.js';
import { cursorParam, decodeCursor, encodeCursor, type ListingSnapshot, listingSnapshotsOf, MAX_PAGE_LIMIT } from './list-cursors.js';
import { readConsistency, shortText, tagList, unset } from './schemas.js';

/** One page of a paged listing: its services, the next page's cursor (null at the end), the snapshot's revision. */
export interface ServicePage {
  readonly services: readonly Service[];
  readonly nextCursor: string | null;
  readonly revision: Revision;
}

const input = z.strictObject({
  active_only: unset(z.boolean()),
  namespace: unset(shortText),
  /** Services carrying every one of these tags. */
  tags: unset(tagList),
  state: unset(z.enum(serviceStates)),
  include_unhealthy: unset(z.boolean()),
  /** Pages the answer: at most this many services, with `next_cursor`. Absent: every service at once. */
  limit: unset(z.number().int().min(1).max(MAX_PAGE_LIMIT)),
  /** The `next_cursor` of the page before (needs `limit`). */
  cursor: unset(cursorParam),
  consistency: readConsistency,
});
type ListInput = z.output<typeof input>;

/** Which services the filters keep, judged at `now`. */
function filterOf(params: ListInput, now: number): ((s: Service) => boolean) | undefined {
  const { active_only: activeOnly, namespace, tags, state } = params;
  if (!activeOnly && namespace === undefined && tags === undefined && state === undefined) return undefined;
  const active = params.include_unhealthy === true ? isTtlAlive : isActive;
  return (s) =>
    (!activeOnly || active(s, now)) &&
    (namespace === undefined || s.namespace === namespace) &&
    (state === undefined || s.state === state) &&
    (tags === undefined || tags.every((t) => s.tags.includes(t)));
}

/** The filters as one key: a cursor is good only for the listing it came from. */
const filtersKey = (params: ListInput): string =>
  JSON.stringify([params.active_only ?? false, params.namespace ?? null, params.tags ?? null, params.state ?? null, params.include_unhealthy ?? false]);

/**
 * Every service, optionally only the active ones (TTL fine and no critical check; with
 * `include_unhealthy`, TTL fine only) or one namespace; served from memory. With `limit`, one page
 * of a revision-stable snapshot (operations/list-cursors.ts).
 */
export const listServices = defineOperation({
  name: 'list_services',
  role: 'read',
  kind: 'read',
  summary: 'list services',
  input: input.refine((params) => params.cursor === undefined || params.limit !== undefined, { message: 'cursor needs limit', path: ['limit'] }),
  output: serviceListingWire,
  async handle(params, ctx): Promise<readonly Service[] | ServicePage> {
    if (params.limit === undefined) {
      const all = ctx.store.services.list();
      const keep = filterOf(params, ctx.clock.now());
      return keep === undefined ? all : all.filter(keep);
    }
    const snapshots = listingSnapshotsOf(ctx.store);
    const filters = filtersKey(params);
    const now = ctx.clock.now();
    const cursor = params.cursor === undefined ? undefined : decodeCursor(params.cursor);
    const snapshot: ListingSnapshot =
      cursor === undefined ? { ordered: ctx.store.services.ordered(), revision: ctx.store.revision, now, filters } : snapshots.take(cursor.snapshot, filters, now);
    const page = snapshot.ordered.page(cursor?.after, params.limit, filterOf(params, snapshot.now) ?? (() => true));
    const last = page.services.at(-1);
    if (!page.more || last === undefined) {
      if (cursor !== undefined) snapshots.release(cursor.snapshot);
      return { services: page.services, nextCursor: null, revision: snapshot.revision };
    }
    const id = cursor?.snapshot ?? snapshots.hold(snapshot, ctx.newId(), now);
    return { services: page.services, nextCursor: encodeCursor(id, last.name), revision: snapshot.revision };
  },
});
