/**
 * Keeps the certificate the server made covering what clients dial: when the topology scan finds
 * an address the certificate does not name (or a reload adds to `[tls] names`), the local CA
 * issues a new one and new handshakes present it at once. Clients that trust the CA see no change.
 * A certificate the operator supplied (`[tls] cert`) is theirs to keep current; this does nothing then.
 */
import type { RegistryConfig } from '../config/index.js';
import { certificateNames } from './certificate-names.js';
import type { Logger } from './log.js';
import { ensureServerCertificates } from './tls-plan.js';

export interface CertificateUpkeepOptions {
  readonly config: RegistryConfig;
  /** Makes new handshakes use the files as they are now (the TLS reloader's `reloadNow`). */
  readonly reload: () => Promise<void>;
  readonly logger: Logger;
}

export class CertificateUpkeep {
  private names: readonly string[];
  private addresses: readonly string[] | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly active: boolean;
  private stopped = false;

  constructor(private readonly options: CertificateUpkeepOptions) {
    const { config } = options;
    this.names = config.tls.names;
    this.active = config.tls.files === null && !config.server.insecureLoopback;
  }

  /** This host's interface addresses changed (the topology scan): the certificate must name them. */
  coverAddresses(addresses: readonly string[]): Promise<void> {
    this.addresses = addresses;
    return this.check('a new address of this host');
  }

  /** A reload brought `[tls] names`. */
  coverNames(names: readonly string[]): Promise<void> {
    if (names.join('\n') === this.names.join('\n')) return Promise.resolve();
    this.names = names;
    return this.check('[tls] names changed');
  }

  /** One check at a time, in order; a failure is logged and the certificate in force stays. */
  private check(why: string): Promise<void> {
    if (!this.active || this.stopped) return Promise.resolve();
    const run = async (): Promise<void> => {
      if (this.stopped) return;
      const { config, logger, reload } = this.options;
      try {
        const wanted = await certificateNames({ host: config.server.host, names: this.names }, this.addresses);
        const material = await ensureServerCertificates({ dataDir: config.server.dataDir, ...wanted });
        if (material.changes.length === 0) return;
        for (const change of material.changes) logger.info({ why }, change);
        await reload();
      } catch (err) {
        logger.warn({ err, why }, 'the server certificate could not be issued again; the one in force stays');
      }
    };
    this.chain = this.chain.then(run);
    return this.chain;
  }

  /** Takes no new check and waits for the one running. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.chain;
  }
}
