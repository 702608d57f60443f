import type { DeploymentRecord, RegistryEvent, Revision, Service } from '../../domain/index.js';
import { type DeploymentChanges, overlayDeploymentWriter } from '../deployment-log.js';
import { overlayAllocationWriter } from '../allocation-overlay.js';
import { AllocationChanges, type AllocationWriter, type MemoryAllocationView } from '../allocations.js';
import type { DeploymentReadView, DeploymentWriter, ServiceReadView, ServiceWriter, WriteTx } from '../types.js';
import { listWithChanges, type ServiceChanges } from '../view.js';
import { encodeService } from './codec.js';
import { overlayTokenWriter, type TokenChanges, type TokenReadView, type TokenRecord, type TokenWriter } from '../tokens.js';
import { type EncodedDeployment, encodeDeployment } from './deployments.js';

/** A put as the database will hold it: the normalised record and its JSON. */
export interface EncodedPut {
  readonly service: Service;
  readonly json: string;
}

/**
 * One write's view of the store: the committed view, the batch's earlier successful writes,
 * then its own changes. Reads never touch SQL; the changes reach SQL only if `fn` succeeds.
 */
export class OverlayWriteTx implements WriteTx {
  readonly services: ServiceWriter;
  readonly deployments: DeploymentWriter;
  readonly allocations: AllocationWriter;
  readonly tokens: TokenWriter;
  /** This write's token changes by name (`null` removes). */
  readonly tokenChanges = new Map<string, TokenRecord | null>();
  /** This write's allocation changes. */
  readonly allocationChanges = new AllocationChanges();
  readonly #deploymentPuts = new Map<string, EncodedDeployment>();
  readonly #changes = new Map<string, Service | null>();
  readonly #puts = new Map<string, EncodedPut>();
  readonly #events: RegistryEvent[] = [];
  #ended = false;

  constructor(
    readonly revision: Revision,
    committed: ServiceReadView,
    batch: ServiceChanges,
    deploymentLayers: { readonly batch: DeploymentChanges; readonly committed: DeploymentReadView },
    allocationLayers: { readonly batch: AllocationChanges; readonly committed: MemoryAllocationView },
    tokenLayers: { readonly batch: TokenChanges; readonly committed: TokenReadView },
  ) {
    this.services = this.#writer(committed, batch);
    this.tokens = overlayTokenWriter(this.tokenChanges, tokenLayers, (body) => this.#run(body));
    const { batch: allocationBatch, committed: allocationView } = allocationLayers;
    this.allocations = overlayAllocationWriter(allocationView, allocationBatch, this.allocationChanges, (body) => this.#run(body));
    const records = new Map<string, DeploymentRecord>();
    this.deployments = overlayDeploymentWriter(records, deploymentLayers, (body) => this.#run(body), (record) => {
      const encoded = encodeDeployment(record);
      this.#deploymentPuts.set(record.id, encoded);
      return encoded.record;
    });
  }

  /** The encoded deployment records this write put, by id. */
  get deploymentPuts(): ReadonlyMap<string, EncodedDeployment> {
    return this.#deploymentPuts;
  }

  emit(event: RegistryEvent): void {
    this.#assertOpen();
    this.#events.push(event);
  }

  /** Ends the write: later use of `tx` is a bug in the caller and throws. */
  end(): void {
    this.#ended = true;
  }

  /** This write's changes by name (`null` deletes). */
  get changes(): ServiceChanges {
    return this.#changes;
  }

  /** The encoded record of each put still standing at the end of the write. */
  get puts(): ReadonlyMap<string, EncodedPut> {
    return this.#puts;
  }

  get events(): readonly RegistryEvent[] {
    return this.#events;
  }

  #writer(committed: ServiceReadView, batch: ServiceChanges): ServiceWriter {
    const read = (name: string): Service | undefined => {
      const own = this.#changes.get(name);
      if (own !== undefined) return own ?? undefined;
      const earlier = batch.get(name);
      if (earlier !== undefined) return earlier ?? undefined;
      return committed.get(name);
    };
    return {
      get: (name) => this.#run(() => read(name)),
      list: () => this.#run(() => listWithChanges(committed, [batch, this.#changes])),
      put: (service) =>
        this.#run(() => {
          const encoded = encodeService(service);
          this.#changes.set(encoded.service.name, encoded.service);
          this.#puts.set(encoded.service.name, encoded);
        }),
      delete: (name) =>
        this.#run(() => {
          const existed = read(name) !== undefined;
          this.#changes.set(name, null);
          this.#puts.delete(name);
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
