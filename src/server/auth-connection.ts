import type { IncomingMessage } from 'node:http';
import { type Clock, RegistryError } from '../domain/index.js';
import { type CredentialHost, findToken, liveToken, type Principal } from '../operations/index.js';
import type { TokenReadView } from '../store/index.js';
import { type AuthSettings, principalFor, strongestPrincipal } from './auth.js';
import type { UpgradeCredentials } from './auth-upgrade.js';
import type { Logger } from './log.js';
import type { Caller } from './runner.js';

/**
 * One connection's credentials. The role is worked out again at every call from what the
 * connection proved — where it connects from, its certificate, its token — and from `[auth]` as
 * it is then, so revoking a token or changing a role takes effect on connections already open.
 * The highest role wins.
 */
export class ConnectionAuth implements CredentialHost {
  private tokenHash: string | undefined;

  constructor(
    private readonly credentials: UpgradeCredentials,
    private readonly tokens: TokenReadView,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly auth: () => AuthSettings,
  ) {
    this.tokenHash = credentials.tokenHash;
  }

  /** The role this connection holds now. */
  principal(): Principal {
    const token = this.tokenHash === undefined ? undefined : liveToken(this.tokens.byHash(this.tokenHash), this.clock.now());
    const fromToken: Principal | undefined = token === undefined ? undefined : { role: token.role, via: `token:${token.name}` };
    const { remoteAddress, from, certificate } = this.credentials;
    return strongestPrincipal(principalFor(remoteAddress, this.auth(), from), certificate, fromToken);
  }

  presentToken(secret: string): Principal {
    const token = findToken(this.tokens, secret, this.clock.now());
    // The runner logs the refusal with the other denials.
    if (token === undefined) throw new RegistryError('unauthorized', 'the token is not known: it was revoked, it expired, or it is mistyped');
    this.tokenHash = token.hash;
    const principal = this.principal();
    this.logger.info({ remoteAddress: principal.remoteAddress, tokenName: token.name, role: principal.role }, 'connection authenticated');
    return principal;
  }
}

/** Who calls over `req`'s connection, as `auth` stands now. */
export function callerOf(req: IncomingMessage, auth: ConnectionAuth): Caller {
  const { remoteAddress, localAddress } = req.socket;
  // Both keys always (undefined when unknown): one shape for every caller (docs/ARCHITECTURE.md, "Hot paths").
  return { principal: auth.principal(), connection: { remoteAddress, localAddress } };
}
