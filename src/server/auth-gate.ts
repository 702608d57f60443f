import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { AuthSettings, LimitSettings } from '../config/index.js';
import { type Clock, roleAllows } from '../domain/index.js';
import type { TokenReadView } from '../store/index.js';
import type { BrowserOrigins } from './auth-origin.js';
import { ConnectionAuth } from './auth-connection.js';
import { checkUpgrade, type UpgradeCredentials } from './auth-upgrade.js';
import { ConnectionLimiter, type Refusal } from './limits.js';
import { Heartbeat } from './limits-heartbeat.js';
import type { Logger } from './log.js';
import type { SessionLimits } from './session.js';

export interface AuthGateOptions {
  readonly auth: AuthSettings;
  readonly limits: LimitSettings;
  readonly tokens: TokenReadView;
  /** Tokens stop granting their role when they expire. */
  readonly clock: Clock;
  /** The CAs client certificates must chain to now (they follow certificate reloads). */
  readonly clientCas: () => readonly X509Certificate[];
  /** Which browser pages may open the endpoint. */
  readonly origins: BrowserOrigins;
  readonly logger: Logger;
}

/**
 * Connections accepted past a limit only to be told why (HTTP 503 on their upgrade); beyond these,
 * a connection past a limit is closed at once, before TLS, for it cannot be told anything cheaper.
 */
const REFUSAL_SLOTS = 64;

/** A TCP connection, as both the raw socket and the TLS socket over it name it. */
const peerKey = (socket: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined }): string =>
  `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;

/**
 * The door of the WebSocket endpoint: checks each upgrade's credentials and the connection
 * limits before it completes (a refusal answers an HTTP status and the reason), then hands each
 * accepted connection its credentials, its limits and the heartbeat that drops dead peers.
 * `apply` puts new `[auth]` and `[limits]` in force: for new connections, and for the roles and
 * request limits of open ones.
 */
export class AuthGate {
  private readonly limiter: ConnectionLimiter;
  private readonly heartbeat: Heartbeat;
  private readonly admitted = new WeakMap<IncomingMessage, UpgradeCredentials>();
  /** Open connections accepted past a limit, each with the refusal its upgrade will get. */
  private readonly overLimit = new Map<string, Refusal>();
  /** What one connection may send: a WebSocket session's limits, and each HTTP connection's (read at every frame, so a reload reaches open connections). */
  readonly sessionLimits: SessionLimits;
  private auth: AuthSettings;
  private limits: LimitSettings;

  constructor(private readonly options: AuthGateOptions) {
    this.auth = options.auth;
    this.limits = options.limits;
    this.limiter = new ConnectionLimiter(this.limits);
    this.heartbeat = new Heartbeat(this.limits.idleTimeoutSeconds * 1000, options.logger);
    const current = (): LimitSettings => this.limits;
    this.sessionLimits = Object.freeze({
      get requestsPerSecond() {
        return current().requestsPerSecond;
      },
      get requestBurst() {
        return current().requestBurst;
      },
      get maxPendingRequests() {
        return current().maxPendingRequests;
      },
    });
  }

  /** Puts reloaded settings in force. */
  apply(settings: { readonly auth: AuthSettings; readonly limits: LimitSettings }): void {
    this.auth = settings.auth;
    this.limits = settings.limits;
    this.limiter.limits = settings.limits;
    this.heartbeat.setIdleTimeout(settings.limits.idleTimeoutSeconds * 1000);
  }

  /** For the listener: undefined lets the upgrade complete; a refusal is answered and logged (never with a secret). */
  readonly verifyUpgrade = (req: IncomingMessage): Refusal | undefined => {
    const { logger } = this.options;
    const remoteAddress = req.socket.remoteAddress;
    const verdict = this.check(req);
    if (!verdict.ok) {
      logger.warn({ remoteAddress, origin: req.headers.origin, status: verdict.status, reason: verdict.reason }, 'connection refused');
      return verdict;
    }
    const refusal = this.overLimit.get(peerKey(req.socket));
    if (refusal !== undefined) {
      logger.warn({ remoteAddress, status: refusal.status, reason: refusal.reason }, 'connection refused');
      return refusal;
    }
    this.admitted.set(req, verdict.credentials);
    return undefined;
  };

  /**
   * For the listener, as each TCP connection is accepted and before TLS: it counts against the
   * connection limits from now until it closes, upgraded or not, so connections that never start
   * TLS cannot pile up uncounted. One past a limit is kept only to be refused with the reason, while
   * few are; otherwise it is closed at once.
   */
  readonly admitConnection = (socket: Socket): void => {
    const place = this.limiter.admit(socket.remoteAddress);
    if (typeof place === 'function') {
      // 'close' comes once, and `on` spares the wrapper `once` makes for each connection.
      socket.on('close', place);
      return;
    }
    if (this.overLimit.size >= REFUSAL_SLOTS) {
      this.options.logger.warn({ remoteAddress: socket.remoteAddress, reason: place.reason }, 'connection refused before TLS');
      socket.destroy();
      return;
    }
    const key = peerKey(socket);
    this.overLimit.set(key, place);
    socket.on('close', () => this.overLimit.delete(key));
  };

  /**
   * Whether a plain HTTP request (GET /healthz) holds `read`: by where it comes from, its client
   * certificate or an `Authorization: Bearer` token, judged as an upgrade would be. Refused
   * credentials hold nothing.
   */
  mayRead(req: IncomingMessage): boolean {
    const verdict = this.authorize(req);
    return verdict.ok && roleAllows(verdict.auth.principal().role, 'read');
  }

  /**
   * The credentials of a plain HTTP request (the read API, `/metrics`), judged as an upgrade would
   * be; the role is worked out again at each use, so a revoked token ends an event stream too.
   */
  authorize(req: IncomingMessage): { readonly ok: true; readonly auth: ConnectionAuth } | ({ readonly ok: false } & Refusal) {
    const verdict = this.check(req);
    if (!verdict.ok) return verdict;
    return { ok: true, auth: this.credentialsOf(verdict.credentials) };
  }

  private check(req: IncomingMessage): ReturnType<typeof checkUpgrade> {
    const { tokens, clock, clientCas, origins } = this.options;
    return checkUpgrade(req, { tokens, clock, clientCas, origins });
  }

  /** A connection's credentials, its role worked out at each use from `[auth]` as it is then. */
  private credentialsOf(credentials: UpgradeCredentials): ConnectionAuth {
    return new ConnectionAuth(credentials, this.options.tokens, this.options.clock, this.options.logger, () => this.auth);
  }

  /** For an upgraded connection: its credentials and limits; the heartbeat starts watching it. */
  accept(socket: WebSocket, req: IncomingMessage): { readonly auth: ConnectionAuth; readonly limits: SessionLimits } {
    const admitted = this.admitted.get(req);
    this.admitted.delete(req);
    // Every upgrade passes verifyUpgrade first; one that did not is a wiring fault, so it gets nothing.
    if (admitted === undefined) socket.close(1011, 'internal: the upgrade was not checked');
    const credentials: UpgradeCredentials = admitted ?? { from: 'unchecked' };
    this.heartbeat.watch(socket, req.socket.remoteAddress);
    return { auth: this.credentialsOf(credentials), limits: this.sessionLimits };
  }

  close(): void {
    this.heartbeat.close();
  }
}
