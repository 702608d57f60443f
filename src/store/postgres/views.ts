import type { DeploymentRecord, Service } from '../../domain/index.js';
import type { AllocationReadView, IpAllocation } from '../allocations.js';
import type { ViewSet } from '../committed.js';
import type { TokenReadView, TokenRecord } from '../tokens.js';
import type { DeploymentReadView, ServiceReadView } from '../types.js';

/**
 * The read views a Store hands out. Callers keep them (the auth gate keeps `tokens`), so they
 * stay the same objects and read through to whichever ViewSet is current.
 */
export class ReadThrough {
  readonly services: ServiceReadView;
  readonly deployments: DeploymentReadView;
  readonly allocations: AllocationReadView;
  readonly tokens: TokenReadView;
  readonly #tokenListeners = new Set<() => void>();

  constructor(current: () => ViewSet) {
    this.services = {
      get: (name: string): Service | undefined => current().services.get(name),
      list: (): readonly Service[] => current().services.list(),
      ordered: () => current().services.ordered(),
      get size(): number {
        return current().services.size;
      },
    };
    this.deployments = {
      get: (id: string): DeploymentRecord | undefined => current().deployments.get(id),
      list: (): readonly DeploymentRecord[] => current().deployments.list(),
    };
    this.allocations = {
      byOwner: (network: string, owner: string): IpAllocation | undefined => current().allocations.byOwner(network, owner),
      byAddress: (network: string, address: string): IpAllocation | undefined => current().allocations.byAddress(network, address),
      list: (network?: string): readonly IpAllocation[] => current().allocations.list(network),
      count: (network: string): number => current().allocations.count(network),
    };
    this.tokens = {
      get: (name: string): TokenRecord | undefined => current().tokens.get(name),
      byHash: (hash: string): TokenRecord | undefined => current().tokens.byHash(hash),
      list: (): readonly TokenRecord[] => current().tokens.list(),
      onChange: (listener: () => void): (() => void) => {
        const entry = (): void => listener();
        this.#tokenListeners.add(entry);
        return () => {
          this.#tokenListeners.delete(entry);
        };
      },
    };
  }

  /** After token changes were applied, or the views replaced: holders of a role re-check it. */
  tokensChanged(): void {
    for (const listener of this.#tokenListeners) listener();
  }
}
