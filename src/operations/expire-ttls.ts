import { type Clock, expireTtl, ttlExpiryDue } from '../domain/index.js';
import type { Store } from '../store/index.js';

/**
 * Announces registrations whose TTL ran out, in one write: each is marked critical and gets one
 * HealthChanged (check `ttl`, passing → critical), so subscribers see a backend go away (a ping
 * or a register brings it back). `is_active` itself is derived, so reads never wait on this.
 * Not an operation of the table: the server runs it every second. With several servers on one
 * PostgreSQL, only the holder of the sweep lock sweeps. Resolves with how many expired.
 */
export async function expireTtls(deps: { readonly store: Store; readonly clock: Clock }): Promise<number> {
  const { store, clock } = deps;
  if (store.claimSweeps !== undefined && !(await store.claimSweeps())) return 0;
  const now = clock.now();
  const due = store.services.list().filter((s) => ttlExpiryDue(s, now));
  if (due.length === 0) return 0;
  const { value } = await store.write(async (tx) => {
    let count = 0;
    for (const { name } of due) {
      const current = await tx.services.get(name);
      if (current === undefined || !ttlExpiryDue(current, now)) continue;
      const { service, event } = expireTtl(current, now, tx.revision);
      await tx.services.put(service);
      tx.emit(event);
      count++;
    }
    return count;
  });
  return value;
}
