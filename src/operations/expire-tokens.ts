import type { Clock } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { liveToken } from './token-secret.js';

/** What one pass found: tokens past their expiry that this server still holds, and how many it removed. */
export interface TokenExpiry {
  readonly lapsed: number;
  readonly removed: number;
}

/**
 * Removes the tokens whose time ran out, in one write. An expired token grants nothing from the
 * moment it expires, on every server (`liveToken` at each use); removing it keeps short-lived
 * tokens (`registry ui`) from piling up and tells every server's holders of a role to look again.
 * Run by each server's sweeper beside `expireTtls`: every server learns what lapsed (its streams
 * authorised by such a token end), but with several servers on one PostgreSQL only the holder of
 * the sweep lock removes them.
 */
export async function expireTokens(deps: { readonly store: Store; readonly clock: Clock }): Promise<TokenExpiry> {
  const { store, clock } = deps;
  const now = clock.now();
  const due = store.tokens.list().filter((token) => liveToken(token, now) === undefined);
  if (due.length === 0) return { lapsed: 0, removed: 0 };
  if (store.claimSweeps !== undefined && !(await store.claimSweeps())) return { lapsed: due.length, removed: 0 };
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
  return { lapsed: due.length, removed: value };
}
