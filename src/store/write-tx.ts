import type { RegistryEvent, Revision, Service } from '../domain/index.js';
import { overlayAllocationWriter } from './allocation-overlay.js';
import type { AllocationWriter } from './allocations.js';
import { encodeDeployment, encodeService } from './codec.js';
import { type CommitChanges, emptyChanges, type ViewSet } from './committed.js';
import { overlayDeploymentWriter } from './deployment-log.js';
import { overlayTokenWriter, type TokenWriter } from './tokens.js';
import type { DeploymentWriter, ServiceWriter, WriteTx } from './types.js';
import { listWithChanges, throughLayers } from './view.js';

/**
 * One write's view of the store, for every backend: the committed views, the batch's earlier
 * successful writes, then its own changes. Reads never touch SQL; the changes reach SQL only if
 * `fn` succeeds, each backend writing them in its own way.
 */
export class OverlayWriteTx implements WriteTx {
  readonly services: ServiceWriter;
  readonly deployments: DeploymentWriter;
  readonly allocations: AllocationWriter;
  readonly tokens: TokenWriter;
  /** This write's changes. */
  readonly changes: CommitChanges = emptyChanges();
  /** The JSON of each service and deployment this write put, as the tables will hold it. */
  readonly serviceJson = new Map<string, string>();
  readonly deploymentJson = new Map<string, string>();
  readonly #events: RegistryEvent[] = [];
  #ended = false;

  constructor(
    readonly revision: Revision,
    committed: ViewSet,
    batch: CommitChanges,
  ) {
    const run = <T>(body: () => T): Promise<T> => this.#run(body);
    this.services = this.#serviceWriter(committed, batch);
    this.tokens = overlayTokenWriter(this.changes.tokens, { batch: batch.tokens, committed: committed.tokens }, run);
    this.allocations = overlayAllocationWriter(committed.allocations, batch.allocations, this.changes.allocations, run);
    const layers = { batch: batch.deployments, committed: committed.deployments };
    this.deployments = overlayDeploymentWriter(this.changes.deployments, layers, run, (record) => {
      const encoded = encodeDeployment(record);
      this.deploymentJson.set(record.id, encoded.json);
      return encoded.value;
    });
  }

  emit(event: RegistryEvent): void {
    this.#assertOpen();
    this.#events.push(event);
  }

  get events(): readonly RegistryEvent[] {
    return this.#events;
  }

  /** Ends the write: later use of `tx` is a bug in the caller and throws. */
  end(): void {
    this.#ended = true;
  }

  #serviceWriter(committed: ViewSet, batch: CommitChanges): ServiceWriter {
    const own = this.changes.services;
    const read = (name: string): Service | undefined =>
      throughLayers([own.get(name), batch.services.get(name)], () => committed.services.get(name));
    return {
      get: (name) => this.#run(() => read(name)),
      list: () => this.#run(() => listWithChanges(committed.services, [batch.services, own])),
      put: (service) =>
        this.#run(() => {
          const encoded = encodeService(service);
          own.set(encoded.value.name, encoded.value);
          this.serviceJson.set(encoded.value.name, encoded.json);
        }),
      delete: (name) =>
        this.#run(() => {
          // Deleting what no layer holds changes nothing, so it commits nothing either.
          const existed = read(name) !== undefined;
          if (existed) own.set(name, null);
          this.serviceJson.delete(name);
          return existed;
        }),
    };
  }

  /** Runs a tx call, turning a synchronous throw into a rejected promise. */
  #run<T>(body: () => T): Promise<T> {
    try {
      this.#assertOpen();
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #assertOpen(): void {
    if (this.#ended) throw new Error('the write transaction was used after its function returned');
  }
}
