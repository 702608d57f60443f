import { throughLayers } from './view.js';

/**
 * Bearer tokens as the store keeps them: a name, a role and the SHA-256 of the secret. The
 * secret itself is never stored; src/operations makes and hashes it.
 */
import type { GrantedRole } from '../domain/index.js';

export interface TokenRecord {
  readonly name: string;
  readonly role: GrantedRole;
  /** SHA-256 of the secret, lowercase hex. */
  readonly hash: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** When it stops granting its role (milliseconds since the epoch); absent: it never expires. */
  readonly expiresAt?: number;
}

/** Committed tokens, served from memory: a connection's role is checked without touching the database. */
export interface TokenReadView {
  get(name: string): TokenRecord | undefined;
  byHash(hash: string): TokenRecord | undefined;
  /** Every token, ordered by name. */
  list(): readonly TokenRecord[];
  /**
   * Calls `listener` after committed token changes are applied (created, replaced or revoked, by
   * this server or, on PostgreSQL, another one): holders of a role re-check it. Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void;
}

/** What a write may do with tokens; reads see the write's own changes and the batch's earlier ones. */
export interface TokenWriter {
  get(name: string): Promise<TokenRecord | undefined>;
  /** Adds a token or replaces the one with its name. */
  put(token: TokenRecord): Promise<void>;
  /** Resolves true when a token was removed. */
  delete(name: string): Promise<boolean>;
}

/** Token changes by name, as a write or a batch made them; `null` removes. */
export type TokenChanges = ReadonlyMap<string, TokenRecord | null>;

const byName = (a: TokenRecord, b: TokenRecord): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The committed tokens in memory; a store applies each batch's changes after COMMIT. */
export class MemoryTokenView implements TokenReadView {
  readonly #byName = new Map<string, TokenRecord>();
  readonly #byHash = new Map<string, TokenRecord>();
  readonly #listeners = new Set<() => void>();
  #sorted: readonly TokenRecord[] | undefined;

  constructor(tokens: Iterable<TokenRecord> = []) {
    this.apply(new Map([...tokens].map((token) => [token.name, token])));
  }

  get(name: string): TokenRecord | undefined {
    return this.#byName.get(name);
  }

  byHash(hash: string): TokenRecord | undefined {
    return this.#byHash.get(hash);
  }

  list(): readonly TokenRecord[] {
    this.#sorted ??= Object.freeze([...this.#byName.values()].sort(byName));
    return this.#sorted;
  }

  onChange(listener: () => void): () => void {
    const entry = (): void => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  apply(changes: TokenChanges): void {
    if (changes.size === 0) return;
    for (const [name, token] of changes) {
      const old = this.#byName.get(name);
      if (old !== undefined) this.#byHash.delete(old.hash);
      if (token === null) {
        this.#byName.delete(name);
      } else {
        this.#byName.set(name, token);
        this.#byHash.set(token.hash, token);
      }
    }
    this.#sorted = undefined;
    for (const listener of this.#listeners) listener();
  }
}

/** A write's token writer: its own changes, then the batch's earlier ones, then the committed view. */
export function overlayTokenWriter(
  own: Map<string, TokenRecord | null>,
  layers: { readonly batch: TokenChanges; readonly committed: TokenReadView },
  run: <T>(body: () => T) => Promise<T>,
): TokenWriter {
  const read = (name: string): TokenRecord | undefined =>
    throughLayers([own.get(name), layers.batch.get(name)], () => layers.committed.get(name));
  return {
    get: (name) => run(() => read(name)),
    put: (token) =>
      run(() => {
        own.set(token.name, Object.freeze({ ...token }));
      }),
    delete: (name) =>
      run(() => {
        const existed = read(name) !== undefined;
        own.set(name, null);
        return existed;
      }),
  };
}
