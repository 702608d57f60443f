import type { CommittedEvent, DeploymentRecord, Service } from '../domain/index.js';
import { AllocationChanges, type AllocationSnapshot, MemoryAllocationView } from './allocations.js';
import { MemoryDeploymentLog } from './deployment-log.js';
import { MemoryTokenView, type TokenRecord } from './tokens.js';
import type { CommitListener } from './types.js';
import { MemoryServiceView } from './view.js';

/**
 * The committed state every backend keeps in memory, what one commit changes in it, and who is
 * told: reads never wait on the database, and memory changes only after COMMIT.
 */

/** What one write, one batch or one commit changed; `null` removes. */
export interface CommitChanges {
  readonly services: Map<string, Service | null>;
  readonly deployments: Map<string, DeploymentRecord>;
  readonly allocations: AllocationChanges;
  readonly tokens: Map<string, TokenRecord | null>;
}

export const emptyChanges = (): CommitChanges => ({
  services: new Map(),
  deployments: new Map(),
  allocations: new AllocationChanges(),
  tokens: new Map(),
});

export const changesAreEmpty = (changes: CommitChanges): boolean =>
  changes.services.size === 0 && changes.deployments.size === 0 && changes.allocations.isEmpty && changes.tokens.size === 0;

/** Lays `later` over `into`. */
export function mergeChanges(into: CommitChanges, later: CommitChanges): void {
  for (const [name, service] of later.services) into.services.set(name, service);
  for (const [id, record] of later.deployments) into.deployments.set(id, record);
  into.allocations.merge(later.allocations);
  for (const [name, token] of later.tokens) into.tokens.set(name, token);
}

/** Everything the views hold, as a backend reads it at open. */
export interface StoreContents {
  readonly services: readonly Service[];
  readonly deployments: readonly DeploymentRecord[];
  readonly allocations: AllocationSnapshot;
  readonly tokens: readonly TokenRecord[];
}

/** The committed state in memory. */
export interface ViewSet {
  readonly services: MemoryServiceView;
  readonly deployments: MemoryDeploymentLog;
  readonly allocations: MemoryAllocationView;
  readonly tokens: MemoryTokenView;
}

export function viewsOf(contents: StoreContents, deploymentRetention: number): ViewSet {
  return {
    services: new MemoryServiceView(contents.services),
    deployments: new MemoryDeploymentLog(contents.deployments, deploymentRetention),
    allocations: new MemoryAllocationView(contents.allocations),
    tokens: new MemoryTokenView(contents.tokens),
  };
}

/** After COMMIT only. */
export function applyChanges(views: ViewSet, changes: CommitChanges): void {
  views.services.apply(changes.services);
  views.deployments.apply(changes.deployments);
  views.allocations.apply(changes.allocations);
  views.tokens.apply(changes.tokens);
}

/** The `onCommit` listeners of a store, told of each commit's events in revision order. */
export class CommitListeners {
  readonly #listeners = new Set<CommitListener>();

  /** Returns the unsubscribe function; the same function added twice is told twice. */
  add(listener: CommitListener): () => void {
    const entry: CommitListener = (events) => listener(events);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  publish(events: readonly CommittedEvent[]): void {
    if (events.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(events);
      } catch (error) {
        // A listener's fault must not undo a commit nor starve the other listeners.
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'CommitListenerError');
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
