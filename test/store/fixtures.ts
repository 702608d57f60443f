import { randomUUID } from 'node:crypto';
import {
  asRevision,
  asServiceId,
  newService,
  type CommittedEvent,
  type Revision,
  type Service,
  type ServiceFields,
} from '../../src/domain/index.js';
import type { Clock } from '../../src/domain/index.js';
import type { Store, WriteTx } from '../../src/store/index.js';
import type { StoreConformanceOptions } from './conformance.js';

export const T0 = Date.UTC(2026, 0, 1);

/** A service as `register` would build it. */
export function makeService(name: string, fields: Partial<ServiceFields> = {}, revision: number = 0): Service {
  return newService(
    { host: '10.0.0.5', port: 4444, ...fields },
    { id: asServiceId(randomUUID()), name, source: 'manual', now: T0, revision: asRevision(revision) },
  );
}

/** A write that registers `name` (or updates it when present) and emits the matching event. */
export async function register(tx: WriteTx, name: string, fields: Partial<ServiceFields> = {}): Promise<Service> {
  const existing = await tx.services.get(name);
  const service: Service = existing
    ? { ...existing, ...fields, revision: tx.revision }
    : makeService(name, fields, tx.revision);
  await tx.services.put(service);
  tx.emit(existing ? { type: 'ServiceUpdated', service } : { type: 'ServiceRegistered', service });
  return service;
}

/** A write that removes `name` and emits ServiceDeregistered when it existed. */
export async function deregister(tx: WriteTx, name: string): Promise<boolean> {
  const existing = await tx.services.get(name);
  if (existing === undefined) return false;
  await tx.services.delete(name);
  tx.emit({ type: 'ServiceDeregistered', service: existing });
  return true;
}

/** Runs a body on a fresh store from `open` (with `clock` when given), and closes it whatever happens. */
export function storeRunner({ open }: StoreConformanceOptions): (body: (store: Store) => Promise<void>, clock?: Clock) => Promise<void> {
  return async (body, clock) => {
    const opened = await open(clock === undefined ? undefined : { clock });
    try {
      await body(opened.store);
    } finally {
      await opened.close();
    }
  };
}

export const revisionsOf = (items: readonly { readonly revision: Revision | undefined }[]): (number | undefined)[] =>
  items.map((item) => item.revision);

/** Resolves with the first value `subscribe` hands over, or rejects after `ms`. */
export function nextValue<T>(subscribe: (deliver: (value: T) => void) => () => void, ms = 2_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    let stop: () => void = () => undefined;
    const timer = setTimeout(() => {
      done = true;
      stop();
      reject(new Error(`nothing arrived within ${String(ms)} ms`));
    }, ms);
    stop = subscribe((value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => stop());
      resolve(value);
    });
    if (done) stop();
  });
}

/** Collects committed events until `count` arrived, or rejects after `ms`. */
export function collectEvents(store: Store, count: number, ms = 2_000): Promise<CommittedEvent[]> {
  const events: CommittedEvent[] = [];
  return nextValue<CommittedEvent[]>(
    (deliver) =>
      store.onCommit((batch) => {
        events.push(...batch);
        if (events.length >= count) deliver(events);
      }),
    ms,
  );
}
