import type { DeploymentRecord, EventType, NodeDefinition, Revision } from '../domain/index.js';
import type { HostTopology } from '../topology/index.js';
import type { Network } from '../ipam/index.js';
import type { HealthStats } from '../health/index.js';
import type { MemberRecord } from '../store/index.js';

/**
 * What the server lends to operations beyond the store: one field per capability. Each
 * capability declares the small interface it needs here (etcd's lessor style), and the server
 * wires an implementation in. A field is optional only while a server can run without it;
 * an operation whose capability is absent answers `unavailable`.
 */
export interface RuntimeServices {
  /** Placeholder so the interface is never empty; capabilities add their fields below. */
  readonly startedAt: number;
  /** This host's network topology (README "Topology and resolution"); absent, topology-aware operations answer `unavailable`. */
  readonly topology?: TopologyService;
  /** The `[[network]]`s of the configuration in force, compiled (a reload replaces them); absent, IP operations answer `unavailable`. */
  readonly networks?: () => readonly Network[];
  /** Deploys packages to nodes over SSH (README "Deployment"); absent, deploy_package and rollback answer `unavailable`. */
  readonly deployer?: Deployer;
  /** The `[[node]]` definitions of the configuration in force (a reload replaces them). */
  readonly nodes?: () => readonly NodeDefinition[];
  /** The health-check scheduler (issue 13); absent, checks are kept but nothing runs them and script checks are refused. */
  readonly health?: HealthService;
  /** The servers sharing the store; absent, list_members answers `unavailable`. */
  readonly members?: MemberService;
}

/** What list_members needs: the servers sharing the store, this one first. */
export interface MemberService {
  list(): Promise<readonly MemberRecord[]>;
}

/** What operations need of the health-check scheduler. */
export interface HealthService {
  /** `[health] allow_scripts`: whether `script` checks may be declared. */
  readonly allowScripts: boolean;
  stats(): HealthStats;
}

/** What deploy_package and rollback need; both resolve with the final record and throw why a deployment failed. */
export interface Deployer {
  deploy(request: { readonly packagePath: string; readonly node: string; readonly deploymentId?: string }): Promise<DeploymentRecord>;
  rollback(request: { readonly node: string; readonly service: string; readonly deploymentId?: string }): Promise<DeploymentRecord>;
}

/** What topology-aware operations need: this host's classified addresses, kept current by the server. */
export interface TopologyService {
  current(): HostTopology;
}

/** Where a call came from, for topology-aware answers. */
export interface ConnectionInfo {
  readonly remoteAddress?: string;
  /** The local address the connection arrived on: tells which of our networks the caller shares. */
  readonly localAddress?: string;
  /** What the caller declared about itself (hostId, its addresses), refining placement. */
  readonly declared?: { readonly hostId?: string; readonly addresses?: readonly string[] };
}

/** What a subscription asks for; names are globs (`*`, `?`). */
export interface SubscriptionRequest {
  readonly events: readonly EventType[];
  readonly services: readonly string[];
  /** The first revision wanted; absent means only what commits from now on. */
  readonly sinceRevision?: number;
  /** Events that queue up for this subscription leave together, as one frame of several events. */
  readonly batch?: boolean;
}

export interface SubscriptionOpened {
  readonly subscription: string;
  /** The last committed revision when the subscription was opened. */
  readonly revision: Revision;
}

/** The caller's connection, which carries its event streams. */
export interface StreamHost {
  /** How many subscriptions the connection holds now. */
  readonly held: number;
  /** How many it may hold (`[limits] max_subscriptions`). */
  readonly limit: number;
  /** Starts the stream; `subscribe` has checked the revision and the limit first. */
  open(request: SubscriptionRequest): SubscriptionOpened;
  /** True when the subscription existed on this connection. */
  close(subscription: string): boolean;
}
