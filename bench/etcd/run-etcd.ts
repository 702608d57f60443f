import { type LoadFigures, type LoadShape, runThreads, spread } from '../load/run-load.js';
import { seededName } from '../lib/names.js';
import { timed } from '../lib/phases.js';
import { etcdClient } from './etcd-process.js';
import { ETCD_SERVICE_PREFIX, type EtcdJob } from './worker.js';

export interface EtcdLoadOptions extends LoadShape {
  readonly endpoint: string;
  readonly ca: string;
  readonly kind: EtcdJob['kind'];
  readonly names: number;
  /** The stored document: the registry's own JSON of a service, so both store the same bytes. */
  readonly value: string;
}

/** The same closed loop as the registry's, against etcd. */
export function runEtcdLoad(options: EtcdLoadOptions): Promise<LoadFigures> {
  const jobs: EtcdJob[] = spread(options).map((part) => ({
    ...part,
    endpoint: options.endpoint,
    ca: options.ca,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    kind: options.kind,
    names: options.names,
    value: options.value,
  }));
  return runThreads(new URL('./worker.ts', import.meta.url), jobs);
}

/** etcd's largest transaction by default is 128 operations. */
const TXN_OPS = 128;

/** Puts `count` keys `<prefix>bench-k` holding `value`, 128 to a transaction, 8 transactions at a time. */
export function seedEtcd(endpoint: string, ca: string, prefix: string, count: number, value: string): Promise<void> {
  return timed('seed', () => putAll(endpoint, ca, prefix, count, value));
}

async function putAll(endpoint: string, ca: string, prefix: string, count: number, value: string): Promise<void> {
  const client = etcdClient(endpoint, ca);
  try {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < count) {
        const first = next;
        next = Math.min(count, next + TXN_OPS);
        const ops = [];
        for (let k = first; k < next; k++) ops.push(client.put(prefix + seededName(k)).value(value));
        await client.if(prefix + '__never__', 'Version', '==', 0).then(...ops).commit();
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
  } finally {
    client.close();
  }
}

export { ETCD_SERVICE_PREFIX };
