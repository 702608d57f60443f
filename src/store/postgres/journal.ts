import type { IpPoolState } from '../allocations.js';
import { decodeDeployment, decodeService } from '../codec.js';
import { type CommitChanges, emptyChanges } from '../committed.js';
import { corrupt, decodeAllocation, decodePool, decodeToken, rowOf } from './codec.js';

/**
 * Each commit stores what it changed in the `commits` journal, so every other server brings its
 * memory up to date by reading it: events alone would not do (a ping, a token or a deployment
 * record changes rows without an event).
 */

/** The journal text of a commit's changes; `serviceJson` holds the JSON already made for the services table. */
export function encodeChanges(changes: CommitChanges, serviceJson: ReadonlyMap<string, string>): string {
  const services = [...changes.services].map(([name, service]) => {
    const json = service === null ? 'null' : (serviceJson.get(name) ?? JSON.stringify(service));
    return `[${JSON.stringify(name)},${json}]`;
  });
  const allocations: unknown[] = [];
  for (const [network, { byAddress }] of changes.allocations.allocations) {
    for (const [address, allocation] of byAddress) allocations.push([network, address, allocation]);
  }
  const free: unknown[] = [];
  for (const [network, entries] of changes.allocations.free) {
    for (const [address, present] of entries) free.push([network, address, present]);
  }
  const rest = JSON.stringify({
    d: [...changes.deployments.values()],
    a: allocations,
    p: [...changes.allocations.pools.values()],
    f: free,
    t: [...changes.tokens],
  });
  return `{"s":[${services.join(',')}],${rest.slice(1)}`;
}

function arrayOf(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw corrupt(what, value);
  return value;
}

function pairOf(value: unknown, what: string): readonly [string, unknown, unknown] {
  const entry = arrayOf(value, what);
  const [key, second, third] = entry;
  if (typeof key !== 'string') throw corrupt(what, value);
  return [key, second, third];
}

/** Reads back what encodeChanges wrote. */
export function decodeChanges(json: string): CommitChanges {
  const value = rowOf(JSON.parse(json), 'commit journal entry');
  const changes = emptyChanges();
  for (const item of arrayOf(value.s, 'journal services')) {
    const [name, service] = pairOf(item, 'journal service');
    changes.services.set(name, service === null ? null : decodeService(service));
  }
  for (const item of arrayOf(value.d, 'journal deployments')) {
    const record = decodeDeployment(item);
    changes.deployments.set(record.id, record);
  }
  for (const item of arrayOf(value.a, 'journal allocations')) {
    const [network, address, allocation] = pairOf(item, 'journal allocation');
    if (typeof address !== 'string') throw corrupt('journal allocation', item);
    const decoded = allocation === null ? null : decodeAllocation(allocation);
    const layer = changes.allocations.network(network);
    layer.byAddress.set(address, decoded);
    if (decoded !== null) layer.byOwner.set(decoded.owner, decoded);
  }
  for (const item of arrayOf(value.p, 'journal pools')) {
    const pool: IpPoolState = decodePool(item);
    changes.allocations.pools.set(pool.network, pool);
  }
  for (const item of arrayOf(value.f, 'journal free list')) {
    const [network, address, present] = pairOf(item, 'journal free entry');
    if (typeof address !== 'string' || typeof present !== 'boolean') throw corrupt('journal free entry', item);
    changes.allocations.freeOf(network).set(address, present);
  }
  for (const item of arrayOf(value.t, 'journal tokens')) {
    const [name, token] = pairOf(item, 'journal token');
    changes.tokens.set(name, token === null ? null : decodeToken(token));
  }
  return changes;
}
