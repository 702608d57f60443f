import type { Service } from '../domain/index.js';
import type { ServiceReadView } from './types.js';

/** Changes keyed by service name: a service is put, `null` deletes it. */
export type ServiceChanges = ReadonlyMap<string, Service | null>;

const byName = (a: Service, b: Service): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The in-memory read view. The store builds it at open and applies each batch's
 * changes only after the batch committed, so readers never see uncommitted data.
 */
export class MemoryServiceView implements ServiceReadView {
  readonly #byName = new Map<string, Service>();
  #sorted: readonly Service[] | undefined;

  constructor(services: Iterable<Service> = []) {
    for (const service of services) this.#byName.set(service.name, service);
  }

  get size(): number {
    return this.#byName.size;
  }

  get(name: string): Service | undefined {
    return this.#byName.get(name);
  }

  list(): readonly Service[] {
    this.#sorted ??= Object.freeze([...this.#byName.values()].sort(byName));
    return this.#sorted;
  }

  /** Applies committed changes; the sorted list is rebuilt on the next `list()`. */
  apply(changes: ServiceChanges): void {
    if (changes.size === 0) return;
    for (const [name, service] of changes) {
      if (service === null) this.#byName.delete(name);
      else this.#byName.set(name, service);
    }
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
