/**
 * Scenario 8: the register, get, list and watch workloads against etcd single node, at the same
 * concurrency, storing the registry's own service document under each key.
 */
import type { BenchContext } from '../context.js';
import type { EtcdFigures } from '../figures.js';
import { etcdClient } from '../etcd/etcd-process.js';
import { ETCD_SERVICE_PREFIX, runEtcdLoad, seedEtcd } from '../etcd/run-etcd.js';
import { runEtcdFanout } from '../fanout/run-fanout.js';
import { summarise } from '../lib/stats.js';
import { withServerCpu } from './request.js';
import { fanoutShape, withDeliveryCpu } from './fanout.js';

const LIST_PREFIX = '/registry/list/';
const LISTS = { quick: 3, full: 10 } as const;

/** A range over a prefix holding `size` documents: etcd's list_services. */
async function listOnce(ctx: BenchContext, endpoint: string, ca: string, size: number, document: string): Promise<EtcdFigures['list']> {
  await seedEtcd(endpoint, ca, LIST_PREFIX, size, document);
  const client = etcdClient(endpoint, ca);
  try {
    const times: number[] = [];
    for (let i = 0; i <= LISTS[ctx.plan.mode]; i++) {
      const started = performance.now();
      const found = await client.getAll().prefix(LIST_PREFIX).strings();
      if (Object.keys(found).length !== size) throw new Error(`etcd listed ${Object.keys(found).length} keys, not ${size}`);
      if (i > 0) times.push(performance.now() - started);
    }
    const latency = summarise(times);
    return { services: size, p50Ms: latency.p50, maxMs: latency.max };
  } finally {
    client.close();
  }
}

export async function etcdScenario(ctx: BenchContext): Promise<EtcdFigures> {
  const etcd = await ctx.etcd();
  const { serviceDocument } = await ctx.captures();
  const ca = (await ctx.mainServer()).ca;
  const { connections, workers, warmupMs, durationMs, services } = ctx.plan;
  await seedEtcd(etcd.endpoint, ca, ETCD_SERVICE_PREFIX, services, serviceDocument);
  const shape = { endpoint: etcd.endpoint, ca, connections, workers, warmupMs, durationMs, names: services, value: serviceDocument };
  const put = await withServerCpu(etcd.pid, () => runEtcdLoad({ ...shape, kind: 'put' }));
  const range = await withServerCpu(etcd.pid, () => runEtcdLoad({ ...shape, kind: 'range' }));
  // The smallest list size only: a 100,000-document range passes gRPC's 4 MiB message limit.
  const list = await listOnce(ctx, etcd.endpoint, ca, ctx.plan.listSizes[0] ?? 1_000, serviceDocument);
  // Puts etcd refuses under this load ("request timed out") are figures, not bench errors.
  const watch = await withDeliveryCpu(etcd.pid, () => runEtcdFanout(etcd.endpoint, ca, fanoutShape(ctx), serviceDocument));
  ctx.results.etcd = { version: etcd.version, put, range, list, watch };
  return ctx.results.etcd;
}
