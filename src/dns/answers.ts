/**
 * The answer to one question in our zone, asked through the operation table: `resolve` for
 * where a service is (placed at the query's source, health filtered), `get_service` for its
 * metadata, `list_nodes` for a node. Nothing here reads a store or applies a topology rule.
 */
import { isIP } from 'node:net';
import type { Answer, RecordType } from 'dns-packet';
import { type NodeWire, RegistryError } from '../domain/index.js';
import type { ResolvedEndpoint } from '../topology/index.js';
import { type DnsName, parseName, nameLabels } from './names.js';
import { addressRecords, asksForAddress, metadataRecords, nameServerName, soaRecord, srvRecord } from './records.js';
import type { DnsAsk, DnsSource, Zone } from './types.js';

/** NOERROR with no answers is NODATA; it and NXDOMAIN carry the SOA (the packet layer adds it). */
export interface ZoneAnswer {
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  readonly answers: readonly Answer[];
  readonly additionals: readonly Answer[];
}

const answer = (answers: readonly Answer[], additionals: readonly Answer[] = []): ZoneAnswer => ({ rcode: 'NOERROR', answers, additionals });
const NXDOMAIN: ZoneAnswer = { rcode: 'NXDOMAIN', answers: [], additionals: [] };
const REFUSED: ZoneAnswer = { rcode: 'REFUSED', answers: [], additionals: [] };

/**
 * The refusals that mean "no such name" to DNS: nothing by that name (`not_found`), a name no
 * service can have (`invalid_params`), and a service discovery leaves out (`unavailable` with its
 * health): a critical service is absent from DNS as it is from `resolve`.
 */
function isAbsence(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.code === 'not_found' || error.code === 'invalid_params') return true;
  return error.code === 'unavailable' && typeof error.details.health === 'string';
}

/** Undefined for a refusal that means absence; anything else is rethrown (SERVFAIL). */
function absent(error: unknown): undefined {
  if (isAbsence(error)) return undefined;
  throw error;
}

/** `ask`, with the refusals that mean absence turned into undefined. */
const found = <T>(asked: Promise<T>): Promise<T | undefined> => asked.catch(absent);

const isSrvProtocol = (proto: string, protocol: string): boolean =>
  proto === protocol || (proto === 'tcp' && protocol !== 'udp');

/** The services whose names are not all lowercase, by their lowercase name, as of one revision. */
interface CaseIndex {
  readonly revision: number;
  readonly names: Promise<ReadonlyMap<string, string>>;
}

export class ZoneAnswerer {
  private readonly domainLabels: readonly string[];
  private readonly bareDomain: string;
  private caseIndex: CaseIndex | undefined;

  constructor(
    private readonly zone: Zone,
    private readonly ask: DnsAsk,
  ) {
    this.domainLabels = nameLabels(zone.domain);
    this.bareDomain = this.domainLabels.join('.');
  }

  /** What `name` asks for: `outside` names are REFUSED before anything is asked. */
  parse(name: string): DnsName {
    return parseName(name, this.domainLabels);
  }

  async answer(name: string, qtype: RecordType | string, source: DnsSource): Promise<ZoneAnswer> {
    const asked = this.parse(name);
    switch (asked.kind) {
      case 'outside':
        return REFUSED;
      case 'absent':
        return NXDOMAIN;
      case 'branch':
        return answer([]);
      case 'apex':
        return this.apex(name, qtype);
      case 'nameserver':
        return answer(this.zone.nameServerAddress === undefined ? [] : addressRecords(name, this.zone.nameServerAddress, qtype, this.zone.ttl));
      case 'service':
        return this.service(name, asked.service, qtype, source);
      case 'endpoint':
        return this.endpoint(name, asked, qtype, source);
      case 'node':
        return this.node(name, asked.node, qtype, source);
      default: {
        const never: never = asked;
        throw new Error(`unhandled name ${JSON.stringify(never)}`);
      }
    }
  }

  private apex(name: string, qtype: string): ZoneAnswer {
    const { ttl } = this.zone;
    if (qtype === 'SOA') return answer([{ ...soaRecord(this.zone), name }]);
    if (qtype === 'NS') return answer([{ type: 'NS', name, ttl, data: nameServerName(this.zone) }]);
    return answer([]);
  }

  /**
   * `resolve` of a DNS name. Names are case-insensitive and most services are named in lowercase:
   * that is asked first. Only when no service has that name is the one whose name differs in case
   * alone looked up, in an index of such names built from `list_services` once per revision, so
   * that queries for unknown names cost a pass over the list only after a write.
   */
  private async resolved(service: string, endpoint: string | undefined, source: DnsSource): Promise<ResolvedEndpoint | undefined> {
    const input = (name: string) => ({ service: name, ...(endpoint === undefined ? {} : { endpoint }) });
    try {
      return await this.ask('resolve', input(service), source);
    } catch (error) {
      const unknown = error instanceof RegistryError && error.code === 'not_found' && error.details.endpoint === undefined;
      if (!unknown) return absent(error);
    }
    const named = (await this.mixedCaseNames(source)).get(service);
    return named === undefined ? undefined : found(this.ask('resolve', input(named), source));
  }

  /** The index of names that differ from their lowercase form, rebuilt when the revision moved (concurrent misses share one build). */
  private mixedCaseNames(source: DnsSource): Promise<ReadonlyMap<string, string>> {
    const revision = this.zone.serial();
    let index = this.caseIndex;
    if (index?.revision !== revision) {
      const names = this.ask('list_services', { active_only: false }, source).then((listed) => {
        // Without limit the answer is every service, never a page.
        const all = Array.isArray(listed) ? listed : [];
        return new Map(all.filter((s) => s.name !== s.name.toLowerCase()).map((s) => [s.name.toLowerCase(), s.name]));
      });
      const built = { revision, names };
      index = this.caseIndex = built;
      // A failed build is not kept: the next miss asks again.
      names.catch(() => {
        if (this.caseIndex === built) this.caseIndex = undefined;
      });
    }
    return index.names;
  }

  /** The SRV record of a resolved endpoint, and its target's address in the additional section. */
  private srv(name: string, resolved: ResolvedEndpoint): ZoneAnswer {
    const { ttl } = this.zone;
    // An address is named under the service, with the address beside it; a host name is the target itself.
    const byName = isIP(resolved.address) !== 0;
    const target = byName ? `${resolved.service.toLowerCase()}.service.${this.bareDomain}` : resolved.address;
    const additionals = byName ? addressRecords(target, resolved.address, 'ANY', ttl) : [];
    return answer([srvRecord(name, target, resolved.port, ttl)], additionals);
  }

  private async service(name: string, service: string, qtype: string, source: DnsSource): Promise<ZoneAnswer> {
    const resolved = await this.resolved(service, undefined, source);
    if (resolved === undefined) return NXDOMAIN;
    const { ttl } = this.zone;
    if (asksForAddress(qtype)) {
      const records = addressRecords(name, resolved.address, qtype, ttl);
      if (qtype !== 'ANY' || !this.zone.txtMetadata) return answer(records);
      return answer([...records, ...(await this.metadata(name, resolved.service, source))]);
    }
    if (qtype === 'SRV') return this.srv(name, resolved);
    if (qtype === 'TXT' && this.zone.txtMetadata) return answer(await this.metadata(name, resolved.service, source));
    return answer([]);
  }

  private async metadata(name: string, service: string, source: DnsSource): Promise<Answer[]> {
    const record = await found(this.ask('get_service', { name: service }, source));
    return record === undefined ? [] : metadataRecords(name, record.metadata, this.zone.ttl);
  }

  private async endpoint(name: string, asked: Extract<DnsName, { kind: 'endpoint' }>, qtype: string, source: DnsSource): Promise<ZoneAnswer> {
    const resolved = await this.resolved(asked.service, asked.endpoint, source);
    if (resolved === undefined || !isSrvProtocol(asked.proto, resolved.protocol)) return NXDOMAIN;
    return qtype === 'SRV' || qtype === 'ANY' ? this.srv(name, resolved) : answer([]);
  }

  private async node(name: string, node: string, qtype: string, source: DnsSource): Promise<ZoneAnswer> {
    const nodes: readonly NodeWire[] = await this.ask('list_nodes', {}, source);
    const found = nodes.find((n) => n.name.toLowerCase() === node);
    if (found === undefined) return NXDOMAIN;
    return answer(found.host === undefined ? [] : addressRecords(name, found.host, qtype, this.zone.ttl));
  }
}
