/**
 * Browsers send `Origin` on a WebSocket upgrade, and any page a person opens on the registry's
 * host can point `new WebSocket('wss://127.0.0.1:4445')` at it (cross-site WebSocket hijacking).
 * An upgrade without `Origin` is a program (the CLI, a service) and is judged as before. One with
 * `Origin` is let in only from the server's own origin (the dashboard it will serve) or from
 * `[auth] allowed_origins`, and even then it never holds the loopback role: a page is not a user.
 */
import { hostname } from 'node:os';

export interface BrowserOriginsOptions {
  /** `[auth] allowed_origins` in force (a reload replaces them), each as `URL.origin` spells it. */
  readonly allowed: () => readonly string[];
  /** The address the server is bound to (`0.0.0.0` and `::` name no origin of their own). */
  readonly host: string;
  /** The port actually bound (known once the listener is up). */
  readonly port: () => number;
  readonly secure: boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

const originOf = (text: string): string | undefined => {
  if (!URL.canParse(text)) return undefined;
  const origin = new URL(text).origin;
  return origin === 'null' ? undefined : origin;
};

/** Which browser origins may open the endpoint. */
export class BrowserOrigins {
  private own: { readonly port: number; readonly origins: ReadonlySet<string> } | undefined;

  constructor(private readonly options: BrowserOriginsOptions) {}

  /** Why a page from `origin` is refused, or undefined when it may connect. */
  refusal(origin: string): string | undefined {
    const normal = originOf(origin);
    if (normal !== undefined && (this.options.allowed().includes(normal) || this.ownOrigins().has(normal))) return undefined;
    const shown = JSON.stringify(origin.slice(0, 128));
    return `a browser page from origin ${shown} may not open this endpoint: only the server's own origin and [auth] allowed_origins may`;
  }

  /**
   * The server's own origins: its scheme and port with each name it answers to on this host. A
   * name only a DNS rebinding could point here (any other) is not among them.
   */
  private ownOrigins(): ReadonlySet<string> {
    const port = this.options.port();
    if (this.own?.port === port) return this.own.origins;
    const scheme = this.options.secure ? 'https' : 'http';
    const names = ['localhost', '127.0.0.1', '[::1]', hostname(), ...(WILDCARDS.has(this.options.host) ? [] : [this.options.host])];
    const origins = new Set<string>();
    for (const name of names) {
      const origin = originOf(`${scheme}://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`);
      if (origin !== undefined) origins.add(origin);
    }
    this.own = { port, origins };
    return origins;
  }
}
