/**
 * The names the DNS interface serves (issue 18), relative to `[dns] domain`, read without regard
 * to case (RFC 4343). Pure: what a name asks for, not whether it exists.
 *
 *   <domain>                                  the zone apex: SOA, NS
 *   ns.<domain>                               the name server the NS record names
 *   service.<domain>, node.<domain>           empty non-terminals: exist, hold nothing
 *   <name>.service.<domain>                   A/AAAA (resolve), SRV (its first endpoint), TXT (metadata)
 *   _<endpoint>._<proto>.<name>.service.<domain>   SRV of one endpoint
 *   <name>.node.<domain>                      A/AAAA of a `[[node]]`
 */

export type DnsName =
  /** Not in our domain: REFUSED, never recursion. */
  | { readonly kind: 'outside' }
  | { readonly kind: 'apex' }
  | { readonly kind: 'nameserver' }
  /** `service.<domain>` or `node.<domain>`: a name that exists only because names sit below it. */
  | { readonly kind: 'branch' }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'endpoint'; readonly service: string; readonly endpoint: string; readonly proto: string }
  | { readonly kind: 'node'; readonly node: string }
  /** Inside the domain but in no form we serve: NXDOMAIN. */
  | { readonly kind: 'absent' };

/** The lowercase labels of a name as dns-packet decodes it (`a.b.c`, the root is `.`). */
export function nameLabels(name: string): string[] {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare === '' ? [] : bare.toLowerCase().split('.');
}

const srvLabel = (label: string | undefined): label is string => label !== undefined && label.length > 1 && label.startsWith('_');

function serviceName(inner: readonly string[]): DnsName {
  if (inner.length === 0) return { kind: 'branch' };
  const [first, second, ...rest] = inner;
  // A service name starts with a letter or digit, so a leading `_` label is always the SRV form.
  if (first?.startsWith('_') !== true) return { kind: 'service', service: inner.join('.') };
  if (!srvLabel(first) || !srvLabel(second) || rest.length === 0) return { kind: 'absent' };
  return { kind: 'endpoint', endpoint: first.slice(1), proto: second.slice(1), service: rest.join('.') };
}

/** What `name` asks for in `domain` (lowercase labels, as `nameLabels` gives them). */
export function parseName(name: string, domain: readonly string[]): DnsName {
  const labels = nameLabels(name);
  const inner = labels.length - domain.length;
  if (inner < 0 || domain.some((label, i) => labels[inner + i] !== label)) return { kind: 'outside' };
  if (inner === 0) return { kind: 'apex' };
  const branch = labels[inner - 1];
  const below = labels.slice(0, inner - 1);
  if (branch === 'ns' && below.length === 0) return { kind: 'nameserver' };
  if (branch === 'service') return serviceName(below);
  if (branch === 'node') return below.length === 0 ? { kind: 'branch' } : { kind: 'node', node: below.join('.') };
  return { kind: 'absent' };
}
