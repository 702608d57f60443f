import { X509Certificate } from 'node:crypto';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from './log.js';
import { certificatesIn, clientTrust, loadTlsFiles, type TlsFilePaths } from './tls.js';

/** What a TLS listener serves: its certificate and key, and the CAs client certificates must chain to. */
export interface TlsContextMaterial {
  readonly cert: string;
  readonly key: string;
  /** PEM of the client CAs (the local one, then `[tls] client_ca`'s); absent: no client certificate can verify. */
  readonly ca?: string;
}

export interface TlsReloaderOptions {
  readonly paths: TlsFilePaths;
  /** The material in force at start. */
  readonly initial: TlsContextMaterial;
  /** Installs new material for new handshakes (the listener's setSecureContext). */
  readonly apply: (material: TlsContextMaterial) => void;
  readonly logger: Logger;
  /** Quiet time after the last file event before the files are read. @default 100 */
  readonly debounceMs?: number;
}

export const DEFAULT_TLS_RELOAD_DEBOUNCE_MS = 100;

const parseCas = (pem: string | undefined): readonly X509Certificate[] => (pem === undefined ? [] : certificatesIn(pem));

/**
 * Re-reads the certificate, key and client CA files when they change (an atomic rename
 * included), or when told to (`reloadNow`), and hands them to new handshakes; open connections
 * keep their session. A pair
 * caught half-written (the key replaced, not yet the certificate) or a file that does not parse
 * changes nothing: the last good material stays, and the next change is tried again.
 */
export class TlsReloader {
  readonly ready: Promise<void>;
  readonly closed: Promise<void | Error>;
  private current: TlsContextMaterial;
  private cas: readonly X509Certificate[];
  private readonly watcher: FSWatcher;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;
  private closing: Promise<void> | undefined;
  private settle: (reason: void | Error) => void = () => undefined;

  constructor(private readonly options: TlsReloaderOptions) {
    this.current = options.initial;
    this.cas = parseCas(options.initial.ca);
    this.closed = new Promise((resolve) => (this.settle = resolve));
    const { certPath, keyPath, caPath, clientCaPath } = options.paths;
    const files = [certPath, keyPath, ...[caPath, clientCaPath].filter((path): path is string => path !== undefined)];
    this.watcher = watch(files, { ignoreInitial: true, persistent: true });
    this.watcher.on('add', () => this.schedule()).on('change', () => this.schedule());
    this.watcher.on('error', (err: unknown) => options.logger.warn({ err }, 'watching the TLS files failed'));
    this.ready = new Promise<void>((resolve) => {
      this.watcher.once('ready', () => resolve());
      void this.closed.then(() => resolve());
    });
  }

  /** The certificate PEM new handshakes present. */
  get certPem(): string {
    return this.current.cert;
  }

  /** The CAs client certificates are checked against now. */
  get clientCas(): readonly X509Certificate[] {
    return this.cas;
  }

  /** Reads the files now (the server has just written a new certificate); resolves once new handshakes use them. */
  reloadNow(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    clearTimeout(this.timer);
    this.chain = this.chain.then(() => this.reload());
    return this.chain;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      clearTimeout(this.timer);
      await this.watcher.close();
      await this.chain;
      this.settle();
    })();
    return this.closing;
  }

  private schedule(): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.chain = this.chain.then(() => this.reload());
    }, this.options.debounceMs ?? DEFAULT_TLS_RELOAD_DEBOUNCE_MS);
  }

  private async reload(): Promise<void> {
    const { logger, paths } = this.options;
    try {
      const files = await loadTlsFiles(paths);
      const ca = clientTrust(files);
      const next: TlsContextMaterial = { cert: files.certPem, key: files.keyPem, ...(ca === undefined ? {} : { ca }) };
      if (this.stopping) return;
      if (next.cert === this.current.cert && next.key === this.current.key && next.ca === this.current.ca) return;
      const cas = parseCas(next.ca);
      this.options.apply(next);
      this.current = next;
      this.cas = cas;
      logger.info({ certPath: paths.certPath, fingerprint: new X509Certificate(next.cert).fingerprint256 }, 'TLS certificate reloaded; new connections use it');
    } catch (err) {
      if (!this.stopping) logger.warn({ err, certPath: paths.certPath }, 'TLS files rejected; the last good certificate stays in force');
    }
  }
}
