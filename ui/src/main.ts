/**
 * The dashboard: signs in over the registry's own WebSocket (an `authenticate` frame with a
 * token: a browser never holds the loopback role), reads services, topology, networks,
 * allocations and deployments once, then follows one subscription from the revision after those
 * reads. No polling: after the first reads, everything that changes arrives as an event. A lost
 * connection is opened again with a growing, jittered delay, and the reads are made afresh.
 */
import { RegistryConnection, ServerError } from './connection.js';
import { DashboardModel, type Panel } from './model.js';
import { forget, remember, storedToken, takeTokenFromFragment } from './session.js';
import { type Screen, screen, showDashboard, showLogin, showStatus } from './screen.js';
import { renderAllocations } from './views/allocations.js';
import { renderDeployments } from './views/deployments.js';
import { renderEvents } from './views/events.js';
import { type HealthFilter, renderServices } from './views/services.js';
import { renderTopology } from './views/topology.js';
import type { EventWire } from '../../src/domain/index.js';

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 15_000;
const HEALTH_FILTERS: readonly HealthFilter[] = ['all', 'critical', 'warning', 'passing', 'inactive'];

class Dashboard {
  private readonly model = new DashboardModel();
  private connection: RegistryConnection | undefined;
  private readonly dirty = new Set<Panel>();
  private drawing = false;
  private retryMs = FIRST_RETRY_MS;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever the page starts over: answers of an older connection are dropped. */
  private generation = 0;

  constructor(private readonly ui: Screen) {
    ui.filterText.addEventListener('input', () => this.redraw('services'));
    ui.filterHealth.addEventListener('change', () => this.redraw('services'));
    ui.loginForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = ui.loginToken.value.trim();
      ui.loginToken.value = '';
      if (token === '') return;
      remember(token);
      this.restart();
    });
    ui.signOut.addEventListener('click', () => {
      forget();
      this.stop();
      showLogin(ui, 'Signed out.');
    });
  }

  restart(): void {
    this.stop();
    void this.connect();
  }

  private stop(): void {
    this.generation++;
    clearTimeout(this.retry);
    this.connection?.close();
    this.connection = undefined;
  }

  private async connect(): Promise<void> {
    const generation = this.generation;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
    showStatus(this.ui, 'connecting', 'connecting…');
    let connection: RegistryConnection;
    try {
      connection = await RegistryConnection.open(url, {
        onEvent: (event) => generation === this.generation && this.take(event),
        onStreamEnd: (error) => generation === this.generation && this.streamEnded(error),
        onClose: (reason) => generation === this.generation && this.lost(reason),
      });
    } catch (error) {
      if (generation === this.generation) this.lost(error instanceof Error ? error.message : String(error));
      return;
    }
    if (generation !== this.generation) return connection.close();
    this.connection = connection;
    try {
      await this.signIn(connection);
      if (generation === this.generation) this.retryMs = FIRST_RETRY_MS;
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ServerError && (error.code === 'unauthorized' || error.code === 'forbidden')) {
        forget();
        this.stop();
        showLogin(this.ui, error.message);
        return;
      }
      showStatus(this.ui, 'trouble', error instanceof Error ? error.message : String(error));
    }
  }

  /** Authenticates with the token held (if any), then reads and subscribes. */
  private async signIn(connection: RegistryConnection): Promise<void> {
    const token = storedToken();
    if (token === undefined) {
      this.stop();
      showLogin(this.ui, '');
      return;
    }
    const who = await connection.call('authenticate', { token });
    const status = await connection.call('status', {});
    const [listed, topology, networks, allocations, deployments] = await Promise.all([
      connection.call('list_services', {}),
      connection.call('get_topology', {}),
      connection.call('list_networks', {}),
      connection.call('list_allocations', {}),
      connection.call('list_deployments', {}),
    ]);
    // Asked without limit, list_services answers every service, never a page.
    const services = Array.isArray(listed) ? listed : listed.services;
    this.model.load({ status, services, topology, networks, allocations, deployments });
    showDashboard(this.ui, `${who.role} · ${who.via}`);
    this.redraw('services', 'topology', 'allocations', 'deployments', 'events');
    // Inclusive: every event after the reads' revision, then live ones.
    await connection.call('subscribe', { since_revision: status.revision + 1 });
    showStatus(this.ui, 'live', 'live');
  }

  private take(event: EventWire): void {
    for (const panel of this.model.apply(event)) this.dirty.add(panel);
    this.schedule();
    if (event.event === 'DeploymentProgress') void this.refreshDeployment(event.data.deployment_id);
  }

  /** The deployment record as the server keeps it (version, final status, durations), after each of its steps. */
  private async refreshDeployment(id: string): Promise<void> {
    const generation = this.generation;
    try {
      const record = await this.connection?.call('get_deployment', { id });
      if (record === undefined || generation !== this.generation) return;
      this.model.deployments.set(record.id, record);
      this.redraw('deployments');
    } catch {
      // The event already moved the steps; the record catches up with the next one.
    }
  }

  private streamEnded(error: ServerError): void {
    if (error.code === 'unauthorized' || error.code === 'forbidden') {
      forget();
      this.stop();
      showLogin(this.ui, `The registry ended the live view: ${error.message}. The token was revoked or it expired.`);
      return;
    }
    // A slow reader cut off, or anything else: start over with fresh reads.
    this.restart();
  }

  private lost(reason: string): void {
    this.connection = undefined;
    const delay = Math.round(this.retryMs * (0.5 + Math.random() / 2));
    this.retryMs = Math.min(LAST_RETRY_MS, this.retryMs * 2);
    showStatus(this.ui, 'trouble', `${reason}; trying again in ${Math.ceil(delay / 1000)} s`);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), delay);
  }

  private redraw(...panels: Panel[]): void {
    for (const panel of panels) this.dirty.add(panel);
    this.schedule();
  }

  /** Draws what changed once per frame, however many events came. */
  private schedule(): void {
    if (this.drawing) return;
    this.drawing = true;
    requestAnimationFrame(() => {
      this.drawing = false;
      const panels = new Set(this.dirty);
      this.dirty.clear();
      this.draw(panels);
    });
  }

  private draw(panels: ReadonlySet<Panel>): void {
    const { ui, model } = this;
    const health = HEALTH_FILTERS.find((h) => h === ui.filterHealth.value) ?? 'all';
    if (panels.has('services')) renderServices({ body: ui.servicesBody, summary: ui.servicesSummary }, model.services.values(), { text: ui.filterText.value, health });
    if (panels.has('topology')) renderTopology(ui.topology, model.topology, model.services.values());
    if (panels.has('allocations')) renderAllocations(ui.allocations, model.networks.values(), (name) => model.allocatedIn(name));
    if (panels.has('deployments')) renderDeployments(ui.deployments, model.deployments.values());
    if (panels.has('events')) renderEvents(ui.events, model.feed);
    ui.revision.textContent = `revision ${model.revision}`;
  }
}

takeTokenFromFragment();
new Dashboard(screen()).restart();
