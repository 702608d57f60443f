/**
 * What the dashboard holds: the answers of the reads it made at the start, kept current by the
 * events of its subscription. Everything is the wire shape; the views only format it. Applying an
 * event twice (a replay after the reads already saw its write) changes nothing.
 */
import type { OutputFor } from '../../src/client/index.js';
import type { AllocationWire, DeploymentWire, EventWire, HostTopologyWire, NetworkWire, ServiceWire } from '../../src/domain/index.js';

/** The parts of the page an event can change. */
export type Panel = 'services' | 'topology' | 'allocations' | 'deployments' | 'events';

/** How many events the feed keeps. */
export const FEED_LENGTH = 200;

export interface Snapshot {
  readonly status: OutputFor<'status'>;
  readonly services: readonly ServiceWire[];
  readonly topology: HostTopologyWire;
  readonly networks: readonly NetworkWire[];
  readonly allocations: readonly AllocationWire[];
  readonly deployments: readonly DeploymentWire[];
}

const allocationKey = (a: { readonly network: string; readonly address: string }): string => `${a.network} ${a.address}`;

export class DashboardModel {
  revision = 0;
  readonly services = new Map<string, ServiceWire>();
  topology: HostTopologyWire | undefined;
  readonly networks = new Map<string, NetworkWire>();
  readonly allocations = new Map<string, AllocationWire>();
  readonly deployments = new Map<string, DeploymentWire>();
  /** Newest first. */
  feed: EventWire[] = [];

  /** Replaces what is held with fresh reads (at the start, and after a reconnection). */
  load(snapshot: Snapshot): void {
    this.revision = snapshot.status.revision;
    this.services.clear();
    for (const service of snapshot.services) this.services.set(service.name, service);
    this.topology = snapshot.topology;
    this.networks.clear();
    for (const network of snapshot.networks) this.networks.set(network.name, network);
    this.allocations.clear();
    for (const allocation of snapshot.allocations) this.allocations.set(allocationKey(allocation), allocation);
    this.deployments.clear();
    for (const deployment of snapshot.deployments) this.deployments.set(deployment.id, deployment);
  }

  /** Takes one event in; answers the panels it changed. */
  apply(event: EventWire): ReadonlySet<Panel> {
    this.revision = Math.max(this.revision, event.revision);
    this.feed = [event, ...this.feed].slice(0, FEED_LENGTH);
    const changed = new Set<Panel>(['events']);
    switch (event.event) {
      case 'ServiceRegistered':
      case 'ServiceUpdated':
      case 'ServiceStateChanged':
      case 'HealthChanged':
        if (this.keep(event.data.service)) changed.add('services').add('topology');
        break;
      case 'ServiceDeregistered': {
        const held = this.services.get(event.data.service.name);
        if (held !== undefined && held.revision <= event.revision) {
          this.services.delete(held.name);
          changed.add('services').add('topology');
        }
        break;
      }
      case 'NetworkTopologyChanged':
        if (this.topology !== undefined) this.topology = { ...this.topology, host_id: event.data.host_id, addresses: event.data.addresses };
        changed.add('topology');
        break;
      case 'IpAllocated':
        this.allocations.set(allocationKey(event.data), { ...event.data, allocated_at: event.timestamp });
        changed.add('allocations');
        break;
      case 'IpReleased':
        this.allocations.delete(allocationKey(event.data));
        changed.add('allocations');
        break;
      case 'DeploymentProgress':
        this.progress(event);
        changed.add('deployments');
        break;
      default: {
        // A newer server's event type still shows in the feed; the compiler sees that none is left out.
        const unknown: never = event;
        void unknown;
      }
    }
    return changed;
  }

  /** Addresses held in `network` now (what its bar shows). */
  allocatedIn(network: string): AllocationWire[] {
    return [...this.allocations.values()].filter((a) => a.network === network);
  }

  /** Keeps a service record unless the one held is newer. */
  private keep(service: ServiceWire): boolean {
    const held = this.services.get(service.name);
    if (held !== undefined && held.revision > service.revision) return false;
    this.services.set(service.name, service);
    return true;
  }

  /** A step of a deployment started or ended: the record held follows it. */
  private progress(event: Extract<EventWire, { readonly event: 'DeploymentProgress' }>): void {
    const { deployment_id: id, node, service, status, message } = event.data;
    // The event names its step as text; the steps a deployment record holds are the same names.
    const step = event.data.step as DeploymentWire['steps'][number]['step'];
    const held: DeploymentWire = this.deployments.get(id) ?? { id, kind: 'deploy', node, service, version: '', status: 'running', started_at: event.timestamp, steps: [] };
    const steps = [...held.steps];
    const last = steps.findLastIndex((s) => s.step === step);
    const current = last < 0 ? undefined : steps[last];
    if (status === 'started') {
      if (current?.status !== 'started') steps.push({ step, status, started_at: event.timestamp });
    } else if (current !== undefined && current.status === 'started') {
      steps[last] = { ...current, status, finished_at: event.timestamp, ...(message === undefined ? {} : { message }) };
    } else if (current === undefined) {
      steps.push({ step, status, started_at: event.timestamp, finished_at: event.timestamp, ...(message === undefined ? {} : { message }) });
    }
    this.deployments.set(id, { ...held, steps });
  }
}
