/**
 * Run by test/protocol/hidden-classes.test.ts as `node --allow-natives-syntax --import tsx`: builds
 * the records of the hot paths twice each, through a real SQLite store, and prints for each kind
 * whether V8 gave both objects one hidden class (map). A kind that gets a map per object makes
 * every read of it megamorphic and every object a fresh map: the cost docs/ARCHITECTURE.md
 * "Hot paths" describes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asServiceId, type Registration, upsertService } from '../../src/domain/index.js';
import { backendOf, encodeService } from '../../src/protocol/wire-service.js';
import { openStore } from '../../src/store/index.js';

// Natives syntax only parses with --allow-natives-syntax, and only in code compiled at run time.
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;

const registration = (name: string, port: number): Registration => ({
  name,
  source: 'manual',
  fields: { ttlSeconds: 60, host: '10.9.8.7', port, protocol: 'wss', description: `probe ${name}` },
  mode: 'replace',
  signOfLife: true,
});

const dir = await mkdtemp(join(tmpdir(), 'registry-maps-'));
const store = await openStore({ location: join(dir, 'registry.db') });
try {
  /** Registers (or re-registers) `name` as the register operation does, and returns what the store now holds. */
  const register = async (name: string, port: number) => {
    const written = await store.write(async (tx) => {
      const existing = await tx.services.get(name);
      const change = upsertService(existing, registration(name, port), { now: Date.now(), revision: tx.revision, newId: () => asServiceId(`id-${name}`) });
      await tx.services.put(change.service);
      for (const event of change.events) tx.emit(event);
    });
    const held = store.services.get(name);
    if (held === undefined || written.events[0] === undefined) throw new Error(`${name} was not registered`);
    return { held, event: written.events[0] };
  };
  // V8 shares or detaches a map once a site's inline cache has settled: judge the last two of many.
  const names = Array.from({ length: 300 }, (_, i) => `svc-${i}`);
  const first = await Promise.all(names.map((name, i) => register(name, 1000 + i)));
  const again = await Promise.all(names.map((name, i) => register(name, 20000 + i)));
  const now = Date.now();
  const wire = again.map(({ held }) => encodeService(held, now));
  const backends = wire.map(backendOf);
  const lastTwo = <T>(list: readonly T[]): [T, T] => [list.at(-2) as T, list.at(-1) as T];
  const kinds = {
    'registered service': sameMap(...lastTwo(first.map((r) => r.held))),
    're-registered service': sameMap(...lastTwo(again.map((r) => r.held))),
    'committed event': sameMap(...lastTwo(first.map((r) => r.event))),
    'service on the wire': sameMap(...lastTwo(wire)),
    'Plexus backend': sameMap(...lastTwo(backends)),
  };
  process.stdout.write(`${JSON.stringify(kinds)}\n`);
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
