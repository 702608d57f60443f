import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../../src/domain/index.js';
import { OrderedServices } from '../../src/store/index.js';

/** Only the name matters to the order; the rest of a service is carried along untouched. */
const service = (name: string, tag = ''): Service => ({ name, tags: [tag] }) as unknown as Service;
const names = (list: readonly Service[]): string[] => list.map((s) => s.name);
const sortedNames = (map: ReadonlyMap<string, Service>): string[] => [...map.keys()].sort();

/** A deterministic stream of numbers, so a failure is the same on every run. */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
}

describe('OrderedServices', () => {
  it('keeps name order through inserts, replacements and removals across chunk splits and joins', () => {
    const next = numbers(7);
    const reference = new Map<string, Service>();
    let ordered = OrderedServices.empty;
    for (let round = 0; round < 60; round++) {
      const changes = new Map<string, Service | null>();
      for (let i = 0; i < 200; i++) {
        const name = `s${String(next() % 5_000).padStart(5, '0')}`;
        // Early rounds mostly add, later rounds mostly remove: chunks split, then shrink and join.
        const remove = next() % 100 < (round < 30 ? 20 : 80);
        changes.set(name, remove ? null : service(name, String(round)));
      }
      for (const [name, value] of changes) {
        if (value === null) reference.delete(name);
        else reference.set(name, value);
      }
      ordered = ordered.with(changes);
      assert.deepEqual(names(ordered.toArray()), sortedNames(reference), `round ${round}`);
      assert.equal(ordered.size, reference.size);
    }
  });

  it('builds from a sorted list and pages through it from any name, with the filter applied', () => {
    const all = Array.from({ length: 3_000 }, (_, i) => service(`n${String(i).padStart(4, '0')}`, i % 3 === 0 ? 'x' : 'y'));
    const ordered = OrderedServices.fromSorted(all);
    const keep = (s: Service): boolean => s.tags[0] === 'x';
    const walked: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = ordered.page(after, 97, keep);
      walked.push(...names(page.services));
      if (!page.more) break;
      after = page.services.at(-1)?.name;
    }
    assert.deepEqual(walked, names(all.filter(keep)));
    assert.deepEqual(names(ordered.page('n0999x', 2, () => true).services), ['n1000', 'n1001'], 'from a name that is not there');
    assert.deepEqual(ordered.page('n2999', 5, () => true), { services: [], more: false });
  });

  it('leaves an earlier value exactly as it was when later changes are applied', () => {
    const first = OrderedServices.fromSorted(Array.from({ length: 2_000 }, (_, i) => service(`a${String(i).padStart(4, '0')}`)));
    const before = names(first.toArray());
    const later = first.with(new Map<string, Service | null>([['a0000', null], ['a0500x', service('a0500x')], ['zz', service('zz')]]));
    assert.deepEqual(names(first.toArray()), before);
    assert.equal(later.size, 2_001);
    assert.deepEqual(names(later.page('a0500', 2, () => true).services), ['a0500x', 'a0501']);
  });
});
