/**
 * The names the certificate the server makes must cover, so a client that trusts the local CA can
 * dial any address it reaches the server at: this host's name and FQDN, `localhost` and loopback,
 * `[tls] names`, and the bound address, or, bound to a wildcard address, every address of this
 * host's interfaces. IPv6 link-local addresses are left out: a URL cannot carry the zone they need,
 * and hosts with containers gain and lose them all the time.
 */
import { lookup, lookupService } from 'node:dns/promises';
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { isHost, isLinkLocal, isWildcardAddress, withoutZone } from '../domain/index.js';

/** How long a start waits to learn this host's FQDN (a resolver that does not answer must not hold it up). */
export const DEFAULT_FQDN_LOOKUP_MS = 1_000;

export interface CertificateNames {
  readonly hostnames: readonly string[];
  readonly addresses: readonly string[];
}

/** What decides the names: the bound host and `[tls] names`. */
export interface NameSettings {
  readonly host: string;
  readonly names: readonly string[];
}

const isIpv6LinkLocal = (address: string): boolean => address.includes(':') && isLinkLocal(address);

/** Every address of this host's interfaces but IPv6 link-local ones (zone ids dropped). */
export function interfaceAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const all = Object.values(interfaces).flatMap((infos = []) => infos.map((info) => withoutZone(info.address)));
  return [...new Set(all.filter((address) => !isIpv6LinkLocal(address)))];
}

let fqdn: Promise<string | undefined> | undefined;

async function lookUpFqdn(): Promise<string | undefined> {
  const name = hostname();
  const { address } = await lookup(name);
  const found = (await lookupService(address, 0)).hostname.toLowerCase();
  return found.includes('.') && found !== name.toLowerCase() && isHost(found) && !found.startsWith('localhost') ? found : undefined;
}

/** This host's fully qualified name as its resolver gives it (`hostname -f`); undefined when it has none. */
export function hostFqdn(timeoutMs = DEFAULT_FQDN_LOOKUP_MS): Promise<string | undefined> {
  fqdn ??= (async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs).unref()));
    try {
      return await Promise.race([lookUpFqdn().catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  })();
  return fqdn;
}

/**
 * The names for `settings`. `addresses` are this host's interface addresses when known (the
 * topology scan's); by default they are read now. The defaults (host name, localhost, loopback)
 * are added where the certificate is checked and issued (tls.ts `wantedServerNames`).
 */
export async function certificateNames(settings: NameSettings, addresses?: readonly string[]): Promise<CertificateNames> {
  const full = await hostFqdn();
  const hostnames = [...(full === undefined ? [] : [full]), ...settings.names];
  if (!isWildcardAddress(settings.host)) return { hostnames: [...hostnames, settings.host], addresses: [] };
  const own = addresses?.map(withoutZone).filter((a) => !isIpv6LinkLocal(a)) ?? interfaceAddresses();
  return { hostnames, addresses: own };
}
