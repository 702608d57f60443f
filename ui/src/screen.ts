/** The page's fixed parts (index.html) and the three states it is in: signing in, the dashboard, and the connection line. */
import { byId } from './dom.js';

export interface Screen {
  readonly connection: HTMLElement;
  readonly revision: HTMLElement;
  readonly identity: HTMLElement;
  readonly signOut: HTMLButtonElement;
  readonly login: HTMLElement;
  readonly loginForm: HTMLFormElement;
  readonly loginMessage: HTMLElement;
  readonly loginToken: HTMLInputElement;
  readonly dashboard: HTMLElement;
  readonly filterText: HTMLInputElement;
  readonly filterHealth: HTMLSelectElement;
  readonly servicesSummary: HTMLElement;
  readonly servicesBody: HTMLElement;
  readonly topology: HTMLElement;
  readonly allocations: HTMLElement;
  readonly deployments: HTMLElement;
  readonly events: HTMLElement;
}

export function screen(): Screen {
  return {
    connection: byId('connection', HTMLElement),
    revision: byId('revision', HTMLElement),
    identity: byId('identity', HTMLElement),
    signOut: byId('sign-out', HTMLButtonElement),
    login: byId('login', HTMLElement),
    loginForm: byId('login-form', HTMLFormElement),
    loginMessage: byId('login-message', HTMLElement),
    loginToken: byId('login-token', HTMLInputElement),
    dashboard: byId('dashboard', HTMLElement),
    filterText: byId('filter-text', HTMLInputElement),
    filterHealth: byId('filter-health', HTMLSelectElement),
    servicesSummary: byId('services-summary', HTMLElement),
    servicesBody: byId('services-body', HTMLElement),
    topology: byId('topology', HTMLElement),
    allocations: byId('allocations', HTMLElement),
    deployments: byId('deployments', HTMLElement),
    events: byId('events', HTMLElement),
  };
}

export type ConnectionState = 'connecting' | 'live' | 'trouble' | 'signed-out';

export function showStatus(ui: Screen, state: ConnectionState, text: string): void {
  ui.connection.dataset.state = state;
  ui.connection.textContent = text;
}

/** The login form, with why it is shown (empty: the first visit). */
export function showLogin(ui: Screen, message: string): void {
  ui.dashboard.hidden = true;
  ui.signOut.hidden = true;
  ui.identity.textContent = '';
  ui.login.hidden = false;
  ui.loginMessage.textContent = message;
  showStatus(ui, 'signed-out', 'signed out');
  ui.loginToken.focus();
}

/** The dashboard, signed in as `identity` (`read · token:dashboard-…`). */
export function showDashboard(ui: Screen, identity: string): void {
  ui.login.hidden = true;
  ui.dashboard.hidden = false;
  ui.signOut.hidden = false;
  ui.identity.textContent = identity;
}
