/**
 * Hosts the DNS interface (issue 18): binds its port with the server's other listeners, and once
 * the operation table runs, answers every query through it. A DNS caller holds the `read` role
 * (DNS carries no credentials; turning `[dns]` on is what serves discovery to whoever reaches
 * the port) and stands at the query's source address, so `resolve` places it as it places a
 * WebSocket caller from that address.
 */
import { cidrAround, type Clock, normaliseAddress, parseIp, RegistryError, withoutZone } from '../domain/index.js';
import type { DnsSettings } from '../config/index.js';
import { type DnsAsk, DnsListener, type DnsOperationName, type DnsSource, type Zone, ZoneAnswerer } from '../dns/index.js';
import type { InputOf, OperationByName, OutputOf } from '../operations/index.js';
import { TokenBucket } from './limits.js';
import { bindError } from './listener.js';
import type { Logger } from './log.js';
import type { Caller, Runner } from './runner.js';

/** Sources whose buckets are kept; past it the oldest is forgotten (memory stays bounded under forged sources). */
export const DEFAULT_DNS_TRACKED_SOURCES = 65_536;

/** The rate-limit key of a source: its IPv4 address, or its IPv6 /64 (one host usually holds a whole /64). */
function sourceKey(address: string): string {
  const ip = parseIp(withoutZone(address));
  if (ip?.family !== 6) return normaliseAddress(address);
  return cidrAround(ip, 64)?.text ?? address;
}

/** A token bucket per source, `rateLimit` queries a second with bursts of `rateBurst`. */
export class SourceRateLimit {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly settings: Pick<DnsSettings, 'rateLimit' | 'rateBurst'>,
    private readonly clock: Clock,
    private readonly tracked = DEFAULT_DNS_TRACKED_SOURCES,
  ) {}

  readonly admit = (address: string): boolean => {
    const key = sourceKey(address);
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.tracked) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
      bucket = new TokenBucket(this.settings.rateLimit, this.settings.rateBurst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  };
}

/** Binds the DNS port when `[dns] enabled`; it answers SERVFAIL until `serveDns`. */
export async function bindDns(settings: DnsSettings, host: string, clock: Clock, logger: Logger): Promise<DnsListener | undefined> {
  if (!settings.enabled) return undefined;
  const limit = new SourceRateLimit(settings, clock);
  try {
    return await DnsListener.bind({
      host,
      port: settings.port,
      admit: limit.admit,
      onError: (err: unknown) => logger.warn({ err }, 'dns: a query failed'),
    });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const refused = bindError(error, host, settings.port);
    throw new RegistryError('unavailable', `[dns] ${refused.message} (UDP and TCP)`, { cause: error, details: refused.details });
  }
}

/** Callers kept per source: the same object for the same address lets resolve reuse its placement until the next rescan. */
export const DEFAULT_DNS_KNOWN_CALLERS = 4_096;

/** The DNS caller at `source`: `read`, placed by its address like any connection. */
function callerAt(source: DnsSource): Caller {
  return {
    principal: { role: 'read', via: 'dns', remoteAddress: source.address },
    connection: { remoteAddress: source.address, ...(source.localAddress === undefined ? {} : { localAddress: source.localAddress }) },
  };
}

/** One caller object per source address (and arrival address), the oldest forgotten past `limit`. */
function knownCallers(limit = DEFAULT_DNS_KNOWN_CALLERS): (source: DnsSource) => Caller {
  const callers = new Map<string, Caller>();
  return (source) => {
    const key = `${source.address} ${source.localAddress ?? ''}`;
    let caller = callers.get(key);
    if (caller === undefined) {
      if (callers.size >= limit) callers.delete(callers.keys().next().value ?? '');
      caller = callerAt(source);
      callers.set(key, caller);
    }
    return caller;
  };
}

/** From now on the listener answers from the operation table; the SOA serial is the last applied revision. */
export function serveDns(listener: DnsListener, settings: DnsSettings, runner: Runner, revision: () => number): void {
  const callerOf = knownCallers();
  function ask<N extends DnsOperationName>(op: N, input: InputOf<OperationByName<N>>, source: DnsSource): Promise<OutputOf<OperationByName<N>>> {
    return runner.call(op, input, callerOf(source), 'dns');
  }
  const asked: DnsAsk = ask;
  const zone: Zone = {
    domain: settings.domain,
    ttl: settings.ttl,
    negativeTtl: settings.negativeTtl,
    txtMetadata: settings.txtMetadata,
    ...(listener.boundAddress === undefined ? {} : { nameServerAddress: listener.boundAddress }),
    serial: revision,
  };
  listener.serve(zone, new ZoneAnswerer(zone, asked));
}
