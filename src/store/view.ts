import type { Service } from '../domain/index.js';
import { OrderedServices } from './ordered.js';
import type { ServiceReadView } from './types.js';

/** Changes keyed by service name: a service is put, `null` deletes it. */
export type ServiceChanges = ReadonlyMap<string, Service | null>;

const byName = (a: Service, b: Service): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Sorted by name, in O(n) when it already is (as both stores load them). */
function sortedByName(services: Iterable<Service>): readonly Service[] {
  const list = [...services];
  for (let i = 1; i < list.length; i++) if (byName(list[i - 1] as Service, list[i] as Service) >= 0) return list.sort(byName);
  return list;
}

/**
 * The in-memory read view. The store builds it at open and applies each batch's
 * changes only after the batch committed, so readers never see uncommitted data.
 * Names index a map (get); the order is an immutable OrderedServices whose value
 * a paged listing keeps as its snapshot.
 */
export class MemoryServiceView implements ServiceReadView {
  readonly #byName = new Map<string, Service>();
  #ordered: OrderedServices;
  #sorted: readonly Service[] | undefined;

  constructor(services: Iterable<Service> = []) {
    const sorted = sortedByName(services);
    for (const service of sorted) this.#byName.set(service.name, service);
    this.#ordered = OrderedServices.fromSorted(sorted);
  }

  get size(): number {
    return this.#byName.size;
  }

  get(name: string): Service | undefined {
    return this.#byName.get(name);
  }

  list(): readonly Service[] {
    this.#sorted ??= this.#ordered.toArray();
    return this.#sorted;
  }

  ordered(): OrderedServices {
    return this.#ordered;
  }

  /** Applies committed changes; the sorted list is rebuilt on the next `list()`. */
  apply(changes: ServiceChanges): void {
    if (changes.size === 0) return;
    for (const [name, service] of changes) {
      if (service === null) this.#byName.delete(name);
      else this.#byName.set(name, service);
    }
    this.#ordered = this.#ordered.with(changes);
    this.#sorted = undefined;
  }
}

/**
 * A write's read of one key: its own layer, then the batch's, newest first (`null` in a layer
 * means removed there), then the committed view.
 */
export function throughLayers<T>(layers: readonly (T | null | undefined)[], committed: () => T | undefined): T | undefined {
  for (const value of layers) if (value !== undefined) return value ?? undefined;
  return committed();
}

/** Every service of `base` with `layers` applied in order, sorted by name. */
export function listWithChanges(base: ServiceReadView, layers: readonly ServiceChanges[]): readonly Service[] {
  if (layers.every((layer) => layer.size === 0)) return base.list();
  const merged = new Map<string, Service>(base.list().map((service) => [service.name, service]));
  for (const layer of layers) {
    for (const [name, service] of layer) {
      if (service === null) merged.delete(name);
      else merged.set(name, service);
    }
  }
  return [...merged.values()].sort(byName);
}
