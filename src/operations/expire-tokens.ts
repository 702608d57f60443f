import type { Clock } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { liveToken } from './token-secret.js';

/**
 * Removes the tokens whose time ran out, in one write. An expired token grants nothing from the
 * moment it expires (`liveToken`); removing it tells the holders of a role to look again (streams
 * authorised by it end) and keeps short-lived tokens (`registry ui`) from piling up. Run by the
 * server's sweeper beside `expireTtls`, under the same sweep lock. Resolves with how many went.
 */
export async function expireTokens(deps: { readonly store: Store; readonly clock: Clock }): Promise<number> {
  const { store, clock } = deps;
  const now = clock.now();
  const due = store.tokens.list().filter((token) => liveToken(token, now) === undefined);
  if (due.length === 0) return 0;
  if (store.claimSweeps !== undefined && !(await store.claimSweeps())) return 0;
  const { value } = await store.write(async (tx) => {
    let count = 0;
    for (const { name } of due) {
      const current = await tx.tokens.get(name);
      if (current === undefined || liveToken(current, now) !== undefined) continue;
      await tx.tokens.delete(name);
      count++;
    }
    return count;
  });
  return value;
}
