/**
 * The DNS interface under load: `dig`-like A queries over UDP from a Node load generator for
 * random names among the seeded services, `plan.connections` queries outstanding. The registry
 * answers through resolve (placement and health included); beside it NSD answers the same names
 * from a zone file, as a tuned authoritative server does.
 */
import type { BenchContext } from '../context.js';
import { ensureNsdInstalled, startNsd } from '../dns/nsd.js';
import { runDnsLoad } from '../dns/run-dns.js';
import type { DnsFigures, RequestFigures } from '../figures.js';
import { field, isNumber, readCpuSeconds } from '../lib/child.js';
import { seededHost, seededName } from '../lib/names.js';
import { timed } from '../lib/phases.js';
import { withCpu } from './request.js';

const DOMAIN = 'registry.';

export async function dnsScenario(ctx: BenchContext): Promise<DnsFigures> {
  const { services, connections: inFlight, workers, warmupMs, durationMs } = ctx.plan;
  const names = Array.from({ length: services }, (_, k) => `${seededName(k)}.service.registry`);
  const load = (port: number) => () => runDnsLoad({ port, names, inFlight, workers, warmupMs, durationMs });

  // The registry under load serves DNS too (its config enables it; see BenchContext.mainServer).
  const registry = await ctx.mainServer();
  const port = field(registry.child.ready, 'dns', isNumber);
  const ours = await withCpu(() => readCpuSeconds(registry.pid), load(port));

  let nsd: RequestFigures | undefined;
  let nsdVersion: string | undefined;
  try {
    const version = ensureNsdInstalled(ctx.log);
    nsdVersion = version;
    const records = Array.from({ length: services }, (_, k) => ({ name: names[k] ?? '', address: seededHost(k) }));
    const server = await timed('start', () => startNsd(ctx.root, DOMAIN, records, version));
    try {
      nsd = await withCpu(server.cpuSeconds, load(server.port));
    } finally {
      await timed('stop', () => server.close());
    }
  } catch (error) {
    // NSD is the comparison, not the subject: without it the registry's figures still stand.
    ctx.notRun.dns = `n/a (nsd: ${error instanceof Error ? error.message : String(error)})`;
  }
  ctx.results.dns = { services, inFlight, registry: ours, ...(nsd === undefined ? {} : { nsd }), ...(nsdVersion === undefined ? {} : { nsdVersion }) };
  return ctx.results.dns;
}
