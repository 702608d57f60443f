import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  asServiceId,
  type Clock,
  type CommittedEvent,
  declareChecks,
  ManualClock,
  newService,
  type Service,
} from '../../src/domain/index.js';
import { type CheckDeclaration, checkDefinition, HealthScheduler, type HealthSchedulerOptions } from '../../src/health/index.js';
import { removeService } from '../../src/operations/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createLogger } from '../../src/server/index.js';

/** A real SQLite store in a temp folder with a scheduler over it (not started: tests drive runs). */
export interface HealthBench {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly scheduler: HealthScheduler;
  /** Every committed event, in order. */
  readonly events: CommittedEvent[];
  register(name: string, checks: readonly CheckDeclaration[], fields?: Partial<Service>): Promise<Service>;
  /** The status the store holds for one check. */
  status(service: string, check: string): string | undefined;
  close(): Promise<void>;
}

export const parseChecks = (checks: readonly CheckDeclaration[]) => checks.map((c) => checkDefinition.parse(c));

export async function openHealthBench(options: Partial<HealthSchedulerOptions> & { readonly clock?: Clock } = {}): Promise<HealthBench> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-health-'));
  const clock = new ManualClock();
  const store = await openStore({ location: join(dir, 'registry.db'), clock });
  const events: CommittedEvent[] = [];
  store.onCommit((committed) => void events.push(...committed));
  const scheduler = new HealthScheduler({ store, clock, logger: createLogger({ level: 'silent' }), serverId: 'test', deregister: (tx, service) => removeService(tx, service), ...options });
  return {
    store,
    clock,
    scheduler,
    events,
    register: async (name, checks, fields = {}) => {
      const { value } = await store.write(async (tx) => {
        const now = clock.now();
        const base = newService({ host: '127.0.0.1', port: 1 }, { id: asServiceId(randomUUID()), name, source: 'manual', now, revision: tx.revision });
        const service: Service = { ...base, ...fields, checks: declareChecks(undefined, parseChecks(checks), now) };
        await tx.services.put(service);
        tx.emit({ type: 'ServiceRegistered', service });
        return service;
      });
      return value;
    },
    status: (service, check) => store.services.get(service)?.checks?.find((c) => c.name === check)?.status,
    close: async () => {
      await scheduler.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The HealthChanged events of one service's check, as `from→to`. */
export const transitions = (events: readonly CommittedEvent[], service: string, check?: string): string[] =>
  events.flatMap((e) => (e.type === 'HealthChanged' && e.service.name === service && (check === undefined || e.check === check) ? [`${e.from}→${e.to}`] : []));
