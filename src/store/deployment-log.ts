import type { DeploymentRecord } from '../domain/index.js';
import type { DeploymentReadView, DeploymentWriter } from './types.js';

/** Deployment puts keyed by id, as a write or a batch made them. */
export type DeploymentChanges = ReadonlyMap<string, DeploymentRecord>;

const newestFirst = (a: DeploymentRecord, b: DeploymentRecord): number =>
  b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The in-memory log of recent deployments. Like the service view, it changes only after a
 * commit, and keeps at most `retention` records (the oldest go first).
 */
export class MemoryDeploymentLog implements DeploymentReadView {
  readonly #byId = new Map<string, DeploymentRecord>();
  #sorted: readonly DeploymentRecord[] | undefined;

  constructor(
    records: Iterable<DeploymentRecord>,
    private readonly retention: number,
  ) {
    this.apply(new Map([...records].map((record) => [record.id, record])));
  }

  get(id: string): DeploymentRecord | undefined {
    return this.#byId.get(id);
  }

  list(): readonly DeploymentRecord[] {
    this.#sorted ??= Object.freeze([...this.#byId.values()].sort(newestFirst));
    return this.#sorted;
  }

  apply(changes: DeploymentChanges): void {
    if (changes.size === 0) return;
    for (const [id, record] of changes) this.#byId.set(id, record);
    this.#sorted = undefined;
    const excess = this.#byId.size - this.retention;
    if (excess > 0) {
      for (const old of this.list().slice(-excess)) this.#byId.delete(old.id);
      this.#sorted = undefined;
    }
  }
}

/**
 * A write's deployment writer: reads see its own puts, then the batch's earlier ones, then the
 * committed log. `put` goes through `record` so the caller can keep what the database will hold.
 */
export function overlayDeploymentWriter(
  own: Map<string, DeploymentRecord>,
  layers: { readonly batch: DeploymentChanges; readonly committed: DeploymentReadView },
  run: <T>(body: () => T) => Promise<T>,
  record: (deployment: DeploymentRecord) => DeploymentRecord,
): DeploymentWriter {
  return {
    get: (id) => run(() => own.get(id) ?? layers.batch.get(id) ?? layers.committed.get(id)),
    list: () =>
      run(() => {
        if (own.size === 0 && layers.batch.size === 0) return layers.committed.list();
        const merged = new Map(layers.committed.list().map((record) => [record.id, record]));
        for (const layer of [layers.batch, own]) for (const [id, record] of layer) merged.set(id, record);
        return [...merged.values()].sort(newestFirst);
      }),
    put: (deployment) =>
      run(() => {
        own.set(deployment.id, record(deployment));
      }),
  };
}
