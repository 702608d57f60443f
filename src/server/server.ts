import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { type Clock, type RegistryError, systemClock } from '../domain/index.js';
import type { RegistryConfig } from '../config/index.js';
import { type ConfigReloader, syncStaticEntries } from '../operations/index.js';
import { openStore } from '../store/index.js';
import { WriteFaultLog } from './fault-log.js';
import type { Listener } from './listener.js';
import { createLogger, type Logger } from './log.js';
import { securePrivateFolder } from './data-folder.js';
import { Runner } from './runner.js';
import { Session } from './session.js';
import { type Foundation, lay } from './start-up.js';
import { TlsReloader } from './tls-reload.js';
import { CertificateUpkeep } from './certificate-upkeep.js';
import { certificatesIn } from './tls.js';
import { AuthGate } from './auth-gate.js';
import { callerOf } from './auth-connection.js';
import { BrowserOrigins } from './auth-origin.js';
import { DEFAULT_DRAIN_MS, type RegistryServer, type ServerOptions } from './types.js';
import { ConfigFollower } from './config-follower.js';
import { TtlSweeper } from './ttl-sweeper.js';
import { startHealthChecks } from './health-checks.js';
import type { HealthScheduler } from '../health/index.js';
import { SshDeployer } from '../deploy/index.js';
import { EventHub } from './event-hub.js';
import { streamLimitsFor } from './stream-limits.js';
import { ConnectionOutput, UnreadBudget } from './connection-output.js';
import { TopologyScanner } from '../topology/index.js';
import { bindDns, serveDns } from './dns-host.js';
import { RegistryMetrics } from '../metrics/index.js';
import { attachSources, countedDeployer, deliveryLag, feedStoreMetrics, probeRuns } from './metrics-feed.js';
import { buildHttpRouter } from './http-routes.js';
import { deploymentOrphans, MemberHeartbeat, settingsDigest } from './members.js';
import { DEFAULT_DASHBOARD_DIR } from './dashboard-policy.js';

/** Starts a registry server: lock, port, store, certificates, static entries, the config watcher. */
export async function startServer(options: ServerOptions): Promise<RegistryServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.server.logLevel });
  const faults = new WriteFaultLog(logger, clock);
  const metrics = new RegistryMetrics();
  const onWriteFault = (error: RegistryError): void => {
    metrics.storeError(error.code);
    faults.report(error);
  };
  const base = await lay({
    config,
    logger,
    openStoreWith: (location) => openStore({ location, eventRetention: config.storage.eventRetention, clock, onWriteFault }),
    bindDns: () => bindDns(config.dns, config.server.host, clock, logger),
  });
  try {
    // Tightened once the start is sure to go ahead: a failed start changes nothing in the folder.
    await securePrivateFolder(config.server.dataDir, logger);
    return await RunningServer.start({ options, clock, logger, metrics, ...base });
  } catch (error) {
    await base.discard();
    throw error;
  }
}

interface Parts extends Foundation {
  readonly options: ServerOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: RegistryMetrics;
}

class RunningServer implements RegistryServer {
  readonly closed: Promise<void | Error>;
  private resolveClosed: (reason: void | Error) => void = () => {};
  private closing: Promise<void> | undefined;
  private readonly sessions = new Map<WebSocket, Session>();
  private follower: ConfigFollower | undefined;
  private sweeper: TtlSweeper | undefined;
  private health: HealthScheduler | undefined;
  private events: EventHub | undefined;
  private topology: TopologyScanner | undefined;
  private deployer: SshDeployer | undefined;
  private gate: AuthGate | undefined;
  private tlsFiles: TlsReloader | undefined;
  private stopFeeding: (() => void) | undefined;
  private certificates: CertificateUpkeep | undefined;
  private members: MemberHeartbeat | undefined;
  private budget: UnreadBudget | undefined;
  /** `[auth]` as it is in force: a reload replaces it. */
  private auth: RegistryConfig['auth'];
  /** This server's id among the members of its store: in its deployments' records and in list_members. */
  private readonly serverId: string;
  /** The digest of `[auth]` and `[limits]` in force, which this server shows the others sharing its store. */
  private settings: string;

  private constructor(private readonly parts: Parts) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.auth = parts.options.config.auth;
    this.settings = settingsDigest(parts.options.config);
    this.serverId = parts.store.membership?.id ?? randomUUID();
  }

  static async start(parts: Parts): Promise<RunningServer> {
    const server = new RunningServer(parts);
    try {
      await server.open();
    } catch (error) {
      await server.follower?.close();
      await server.health?.close();
      await server.sweeper?.close();
      server.events?.close();
      await server.topology?.close();
      await server.deployer?.close();
      server.gate?.close();
      await server.certificates?.close();
      await server.tlsFiles?.close();
      await server.members?.close();
      throw error;
    }
    return server;
  }

  get port(): number {
    return this.parts.listener.port;
  }
  get host(): string {
    return this.parts.options.config.server.host;
  }
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.parts.tls ? 'wss' : 'ws'}://${host}:${this.port}`;
  }
  get dnsPort(): number | undefined {
    return this.parts.dns?.port;
  }
  get caPem(): string | undefined {
    return this.parts.tls?.caPem;
  }
  get certPem(): string | undefined {
    return this.tlsFiles?.certPem ?? this.parts.tls?.cert;
  }

  private async open(): Promise<void> {
    const { options, store, clock, logger, listener, door, lock, dns, metrics } = this.parts;
    this.stopFeeding = feedStoreMetrics(store, metrics);
    const { config } = options;
    const deps = { store, clock, newId: randomUUID };
    // The IP networks in force: a reload that applies replaces them, a rejected file leaves them.
    let networks = config.networks;
    let nodes = config.nodeDefinitions;
    const apply = async (next: RegistryConfig) => {
      const applied = await syncStaticEntries(deps, { fileBackends: next.backends, envBackends: next.envBackends, autoRegister: next.server.autoRegister });
      networks = next.networks;
      nodes = next.nodeDefinitions;
      this.applyLive(next);
      // Topology classifies by the configured networks too (absent on the first apply, before it opens).
      await this.topology?.setNetworks(next.networks).catch((err: unknown) => logger.warn({ err }, 'topology rescan after reload failed'));
      await this.certificates?.coverNames(next.tls.names);
      return applied;
    };
    await apply(config);
    this.follower = new ConfigFollower({ config, reloadConfig: options.reloadConfig, apply, logger, watch: options.watchConfig });
    this.sweeper = this.startSweeps();
    const reloader: ConfigReloader = { reload: () => this.follower?.reload() ?? apply(config) };
    this.topology = await TopologyScanner.open({
      store,
      clock,
      hostId: config.server.hostId,
      networks: config.networks,
      intervalMs: config.server.topologyIntervalSeconds * 1000,
      onError: (err: unknown) => logger.warn({ err }, 'topology rescan failed; the last scan stays in force'),
      beforeChange: (addresses) => this.certificates?.coverAddresses(addresses.map((a) => a.address)) ?? Promise.resolve(),
    });
    this.deployer = new SshDeployer({ store, clock, newId: randomUUID, nodes: () => nodes, serverId: this.serverId });
    const onRun = probeRuns(metrics);
    const health = await startHealthChecks({ config, store, clock, logger, networks: () => networks, started: (scheduler) => (this.health = scheduler), onRun });
    const deployer = countedDeployer(this.deployer, metrics);
    const startedAt = clock.now();
    this.members = new MemberHeartbeat({ store, clock, logger, id: this.serverId, identity: () => ({ address: this.url, hostId: config.server.hostId, pid: process.pid, startedAt, settings: this.settings }) });
    const runtime = { startedAt, topology: this.topology, networks: () => networks, deployer, nodes: () => nodes, health, members: this.members };
    const runner = new Runner({ store, clock, config: reloader, logger, runtime, metrics });
    const { maxFrameBytes } = config.server;
    const streamLimits = streamLimitsFor(config.limits, options.streamLimits);
    const events = new EventHub(store, clock, logger, streamLimits, deliveryLag(metrics));
    this.events = events;
    attachSources(metrics, { runner, events, store, websockets: () => this.sessions.size });
    const budget = (this.budget = new UnreadBudget(streamLimits.maxTotalBufferedBytes, logger));
    const gate = (this.gate = this.openGate());
    // From now on every accepted TCP connection counts against the connection limits until it closes.
    door.admit = gate.admitConnection;
    await this.watchTlsFiles(listener);
    this.certificates = new CertificateUpkeep({ config, reload: () => this.tlsFiles?.reloadNow() ?? Promise.resolve(), logger });
    // The scan may have found an address since the certificate was made for this start.
    await this.certificates.coverAddresses(this.topology.current().addresses.map((a) => a.address));
    this.serve(listener, { gate, runner, events, maxFrameBytes, budget });
    const router = buildHttpRouter({ gate, runner, events, budget, limits: gate.sessionLimits, clock, revision: () => store.revision, store, metrics, logger, dashboardDir: options.dashboardDir ?? DEFAULT_DASHBOARD_DIR });
    // Answers read the same in-memory view as every operation, after the same commits: never older than the last applied revision.
    if (dns !== undefined) {
      serveDns(dns, config.dns, runner, () => store.revision);
      logger.info({ dns: `${config.server.host}:${dns.port}`, domain: config.dns.domain }, 'dns serving');
    }
    // Open the door last: until now upgrades were answered 503 and nothing reached a half-built server.
    door.route = router.handle;
    door.verify = gate.verifyUpgrade;
    lock.setAddress(this.url);
    await this.members.start();
    logger.info({ url: this.url, store: config.storage.url, configPath: config.configPath }, 'registry serving');
  }

  /** Each upgraded connection: its credentials, its output (bounded by its own and the server-wide limit), its session. */
  private serve(listener: Listener, deps: { gate: AuthGate; runner: Runner; events: EventHub; maxFrameBytes: number; budget: UnreadBudget }): void {
    const { clock, logger } = this.parts;
    const { gate, runner, events, maxFrameBytes, budget } = deps;
    // One close and one error listener for every connection (the socket is `this`): an idle connection holds no closure of its own here.
    const sessions = this.sessions;
    const onClose = function (this: WebSocket): void {
      sessions.get(this)?.connectionClosed();
      sessions.delete(this);
    };
    const onError = (err: Error): void => logger.debug({ err }, 'connection error');
    listener.wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
      const { auth, limits } = gate.accept(socket, req);
      const caller = callerOf(req, auth);
      const output = new ConnectionOutput(socket, events.limits.maxBufferedBytes, budget, logger);
      const streams = events.connect(socket, output, auth);
      sessions.set(socket, new Session({ socket, caller, runner, clock, maxFrameBytes, output, streams, auth, limits }));
      socket.on('close', onClose);
      socket.on('error', onError);
    });
  }

  /** The TTL sweeps, the end of the deployments whose server died (or this server lost), and expired tokens (their streams end here). */
  private startSweeps(): TtlSweeper {
    const { store, clock, logger, metrics } = this.parts;
    const runsHere = (id: string): boolean => this.deployer?.runs(id) ?? false;
    const orphans = deploymentOrphans(store, this.serverId, runsHere);
    return new TtlSweeper(store, clock, logger, (count) => metrics.expired(count), undefined, orphans, () => this.events?.reauthorize());
  }

  /** The door's checks: credentials (the client CAs follow certificate reloads), browser origins and limits, as `[auth]` and `[limits]` are in force. */
  private openGate(): AuthGate {
    const { options, store, clock, logger, tls } = this.parts;
    const { config } = options;
    const initialCas = tls?.clientCa === undefined ? [] : certificatesIn(tls.clientCa);
    const clientCas = () => (this.tlsFiles === undefined ? initialCas : this.tlsFiles.clientCas);
    const origins = new BrowserOrigins({ allowed: () => this.auth.allowedOrigins, host: config.server.host, port: () => this.port, secure: tls !== undefined });
    return new AuthGate({ auth: config.auth, limits: config.limits, tokens: store.tokens, clock, clientCas, origins, logger });
  }

  /**
   * Puts reloaded `[auth]` and `[limits]` in force: for new connections, and for the roles, request
   * limits and streams of open ones (a stream whose connection lost `read` ends with `unauthorized`).
   */
  private applyLive(next: RegistryConfig): void {
    this.auth = next.auth;
    this.settings = settingsDigest(next);
    this.gate?.apply(next);
    if (this.events === undefined) return;
    this.events.limits = streamLimitsFor(next.limits, this.parts.options.streamLimits);
    if (this.budget !== undefined) this.budget.maxTotalBytes = this.events.limits.maxTotalBufferedBytes;
    this.events.reauthorize();
  }

  /** New handshakes get the certificate files as they are now: a replaced pair needs no restart. */
  private async watchTlsFiles(listener: Listener): Promise<void> {
    const { tls, logger } = this.parts;
    if (tls?.paths === undefined || listener.setSecureContext === undefined) return;
    const initial = { cert: tls.cert, key: tls.key, ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }) };
    this.tlsFiles = new TlsReloader({ paths: tls.paths, initial, apply: listener.setSecureContext, logger });
    await this.tlsFiles.ready;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Stop accepting → let running requests finish (bounded) → close sockets → stop the watcher → close the store. */
  private async shutdown(): Promise<void> {
    const { store, logger, listener, lock, dns } = this.parts;
    try {
      await dns?.close();
      const stopped = new Promise<void>((resolve) => listener.http.close(() => resolve()));
      this.events?.close();
      const drained = Promise.all([...this.sessions.values()].map((s) => s.drained()));
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DEFAULT_DRAIN_MS).unref())]);
      for (const socket of this.sessions.keys()) socket.close(1001, 'server shutting down');
      listener.wss.close();
      setTimeout(() => {
        for (const socket of this.sessions.keys()) socket.terminate();
      }, 1000).unref();
      listener.http.closeAllConnections();
      await stopped;
      this.gate?.close();
      await this.follower?.close();
      await this.certificates?.close();
      await this.tlsFiles?.close();
      await this.health?.close();
      await this.sweeper?.close();
      await this.topology?.close();
      await this.deployer?.close();
      this.stopFeeding?.();
      await this.members?.close();
      await store.close();
      await lock.close();
      logger.info('registry stopped');
      this.resolveClosed();
    } catch (error) {
      this.resolveClosed(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }
}
