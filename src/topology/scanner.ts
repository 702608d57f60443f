import { hostname } from 'node:os';
import { type Clock, systemClock, type TopologyAddress } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { classifyAddress } from './classify.js';
import { detectAddresses } from './detect.js';
import { configuredNetworks } from './networks.js';
import type { AddressCandidate, HostTopology, NetworkBlock } from './types.js';

/** Time between two rescans of the interfaces. */
export const DEFAULT_TOPOLOGY_INTERVAL_MS = 30_000;

export interface TopologyScannerOptions {
  /** Where `NetworkTopologyChanged` events are written. */
  readonly store: Store;
  /** This host's id, as services name it in `host_id`. @default os.hostname() */
  readonly hostId?: string;
  /** The configured `[[network]]`s: an address inside a wireguard one is WireGuard. @default [] */
  readonly networks?: readonly NetworkBlock[];
  /** @default DEFAULT_TOPOLOGY_INTERVAL_MS */
  readonly intervalMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Reads this host's addresses; tests inject their own. @default detectAddresses() */
  readonly detect?: (signal: AbortSignal) => Promise<readonly AddressCandidate[]>;
  /** Told about a failed rescan; the last good topology stays in force. @default ignore */
  readonly onError?: (error: unknown) => void;
  /**
   * Told about a changed set of addresses before the topology and its event show it, and awaited:
   * the server has its certificate name a new address here, so a client that sees the address
   * can dial it. A failure goes to `onError` and the scan goes on. @default none
   */
  readonly beforeChange?: (addresses: readonly TopologyAddress[]) => Promise<void>;
}

/** A stable text of a set of addresses, to tell whether a rescan changed anything. */
function fingerprint(addresses: readonly TopologyAddress[]): string {
  return addresses
    .map((a) => [a.interface, a.address, a.family, a.network, a.cidr ?? '', a.reason].join('|'))
    .sort()
    .join('\n');
}

const byInterfaceThenAddress = (a: TopologyAddress, b: TopologyAddress): number =>
  a.interface.localeCompare(b.interface) || a.address.localeCompare(b.address);

/**
 * Keeps this host's classified addresses current: scans once when opened, then every interval.
 * When a rescan finds a different set it writes one `NetworkTopologyChanged` event. The first
 * scan sets the baseline and writes nothing.
 */
export class TopologyScanner implements AsyncDisposable {
  readonly closed: Promise<void | Error>;
  private resolveClosed: (reason: void | Error) => void = () => undefined;
  private snapshot: HostTopology;
  /** The fingerprint last written as an event (or the baseline); a failed write is retried next scan. */
  private published = '';
  /** The fingerprint of the snapshot's addresses. */
  private shown = '';
  private scanning: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private readonly intervalMs: number;

  private constructor(private readonly options: TopologyScannerOptions) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? DEFAULT_TOPOLOGY_INTERVAL_MS;
    const hostId = options.hostId ?? hostname();
    this.snapshot = { hostId, addresses: [], networks: configuredNetworks(options.networks ?? []), scannedAt: this.clock.now() };
  }

  /** Scans once (rejecting when that fails), then keeps rescanning until closed. */
  static async open(options: TopologyScannerOptions): Promise<TopologyScanner> {
    const scanner = new TopologyScanner(options);
    const addresses = await scanner.read();
    scanner.snapshot = { ...scanner.snapshot, addresses, scannedAt: scanner.clock.now() };
    scanner.published = fingerprint(addresses);
    scanner.shown = scanner.published;
    scanner.schedule();
    return scanner;
  }

  /** The topology as of the last scan. */
  current(): HostTopology {
    return this.snapshot;
  }

  /** A reload changed the configured networks: classify with them from now on (rescans at once). */
  setNetworks(networks: readonly NetworkBlock[]): Promise<boolean> {
    this.snapshot = { ...this.snapshot, networks: configuredNetworks(networks) };
    return this.rescan();
  }

  /** Reads the interfaces now; resolves true when the set changed and the event was written. */
  rescan(): Promise<boolean> {
    this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async read(): Promise<TopologyAddress[]> {
    const detect = this.options.detect ?? (() => detectAddresses());
    const candidates = await detect(this.abort.signal);
    return candidates.map((c) => classifyAddress(c, this.snapshot.networks)).sort(byInterfaceThenAddress);
  }

  private async scan(): Promise<boolean> {
    if (this.closing !== undefined) return false;
    const addresses = await this.read();
    const next = fingerprint(addresses);
    if (next !== this.shown) {
      await this.options.beforeChange?.(addresses).catch((error: unknown) => this.options.onError?.(error));
      this.shown = next;
    }
    this.snapshot = { ...this.snapshot, addresses, scannedAt: this.clock.now() };
    if (next === this.published || this.closing !== undefined) return false;
    const { hostId } = this.snapshot;
    await this.options.store.write((tx) => tx.emit({ type: 'NetworkTopologyChanged', hostId, addresses }));
    this.published = next;
    return true;
  }

  private schedule(): void {
    if (this.closing !== undefined) return;
    this.timer = setTimeout(() => {
      this.rescan()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.abort.abort(new Error('topology scanner closed'));
    await this.scanning?.catch(() => undefined);
    this.resolveClosed();
  }
}
