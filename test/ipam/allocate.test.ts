import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { RegistryError } from '../../src/domain/index.js';
import { parseIp } from '../../src/domain/index.js';
import { allocateAddress, compileNetwork, type Network, releaseAllocation } from '../../src/ipam/index.js';
import type { Store } from '../../src/store/index.js';
import { isUsableOffset, type Oracle, oracleFor, type StoreFolder, storeFolder, textAt, usableCount } from './support.js';

/**
 * Random sequences of allocate / allocate-specific / release against a real SQLite store,
 * checked against a model and the rules restated in support.ts: no address twice, none outside
 * the block or excluded, and `network_exhausted` exactly when nothing is free. Writes are
 * awaited one by one, fired together (one group-commit batch), or many in one write, and the
 * store is reopened at random, so the committed view, the batch layer and the disk all take part.
 */

type Command =
  | { readonly kind: 'allocate'; readonly owner: number }
  | { readonly kind: 'specific'; readonly owner: number; readonly offset: bigint }
  | { readonly kind: 'release'; readonly owner: number }
  | { readonly kind: 'releaseAddress'; readonly offset: bigint }
  | { readonly kind: 'burst'; readonly owners: readonly number[] }
  | { readonly kind: 'fill'; readonly count: number }
  | { readonly kind: 'restart' };

type Outcome = { readonly ok: true; readonly address: string; readonly created: boolean } | { readonly ok: false; readonly code: string; readonly reason?: unknown };

interface Scenario {
  readonly cidr: string;
  readonly gateway: bigint | undefined;
  readonly reserved: readonly (readonly [bigint, bigint])[];
  readonly commands: readonly Command[];
}

const sizeOf = (cidr: string): bigint => oracleFor(cidr, undefined, []).size;

/** Offsets near the start (where the cursor works), near the end, anywhere, and just past the block. */
const offsetIn = (size: bigint) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: size - 1n < 40n ? size - 1n : 40n }),
    fc.bigInt({ min: size > 4n ? size - 4n : 0n, max: size - 1n }),
    fc.bigInt({ min: 0n, max: size - 1n }),
    fc.bigInt({ min: size, max: size + 3n }),
  );

function scenario(cidr: string): fc.Arbitrary<Scenario> {
  const size = sizeOf(cidr);
  const offset = offsetIn(size).filter((o) => o < size);
  const range = fc.tuple(offset, fc.oneof(fc.bigInt({ min: 0n, max: 3n }), fc.bigInt({ min: 0n, max: size }))).map(([first, length]) => [first, first + length >= size ? size - 1n : first + length] as const);
  const owner = fc.nat(11);
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 5, arbitrary: owner.map((o) => ({ kind: 'allocate' as const, owner: o })) },
    { weight: 2, arbitrary: fc.tuple(owner, offsetIn(size)).map(([o, off]) => ({ kind: 'specific' as const, owner: o, offset: off })) },
    { weight: 3, arbitrary: owner.map((o) => ({ kind: 'release' as const, owner: o })) },
    { weight: 1, arbitrary: offsetIn(size).map((off) => ({ kind: 'releaseAddress' as const, offset: off })) },
    { weight: 1, arbitrary: fc.array(owner, { minLength: 2, maxLength: 8 }).map((owners) => ({ kind: 'burst' as const, owners })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map((count) => ({ kind: 'fill' as const, count })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  );
  return fc.record({
    cidr: fc.constant(cidr),
    gateway: fc.option(offset, { nil: undefined }),
    reserved: fc.array(range, { maxLength: 3 }),
    commands: fc.array(command, { minLength: 1, maxLength: 30 }),
  });
}

function networkFor(s: Scenario, oracle: Oracle): Network {
  const text = (offset: bigint) => textAt(oracle, offset);
  const result = compileNetwork({
    name: 'net',
    kind: 'lan',
    cidr: s.cidr,
    ...(s.gateway === undefined ? {} : { gateway: text(s.gateway) }),
    reserved: s.reserved.map(([a, b]) => `${text(a)}-${text(b)}`),
  });
  if (!result.ok) throw new Error(`scenario does not compile: ${JSON.stringify(result.issues)}`);
  return result.network;
}

async function attempt(work: () => Promise<{ address: string; created: boolean }>): Promise<Outcome> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { ok: false, code: error.code, reason: error.details.reason };
  }
}

const allocateIn = (store: Store, network: Network, owner: string, ip?: string): Promise<Outcome> =>
  attempt(async () => {
    const { value } = await store.write((tx) => allocateAddress(tx, { network, owner, now: 0, ...(ip === undefined ? {} : { ip }) }));
    return { address: value.allocation.address, created: value.created };
  });

/** The model: who holds what. Every answer of the store is checked against it before it moves. */
class Model {
  readonly byOwner = new Map<string, string>();
  readonly holders = new Map<string, string>();
  constructor(readonly oracle: Oracle) {}

  get free(): bigint {
    return usableCount(this.oracle) - BigInt(this.holders.size);
  }

  offsetOf(address: string): bigint {
    const parsed = parseIp(address);
    assert.ok(parsed && parsed.family === this.oracle.family, `${address} is not of the block's family`);
    return parsed.value - this.oracle.base;
  }

  allocated(owner: string, outcome: Outcome): void {
    const held = this.byOwner.get(owner);
    if (held !== undefined) return assert.deepEqual(outcome, { ok: true, address: held, created: false });
    if (this.free === 0n) return assert.deepEqual(outcome, { ok: false, code: 'network_exhausted', reason: undefined });
    assert.ok(outcome.ok, `allocation failed with ${outcome.ok ? '' : outcome.code} while ${this.free} addresses are free`);
    assert.equal(outcome.created, true);
    assert.ok(isUsableOffset(this.oracle, this.offsetOf(outcome.address)), `${outcome.address} may not be handed out`);
    assert.equal(this.holders.get(outcome.address), undefined, `${outcome.address} handed out twice`);
    this.take(owner, outcome.address);
  }

  requested(owner: string, offset: bigint, outcome: Outcome): void {
    const address = textAt(this.oracle, offset);
    const held = this.byOwner.get(owner);
    if (held !== undefined) {
      return held === address
        ? assert.deepEqual(outcome, { ok: true, address, created: false })
        : assert.deepEqual(outcome, { ok: false, code: 'address_unavailable', reason: 'owner_holds_another' });
    }
    if (!isUsableOffset(this.oracle, offset)) {
      assert.equal(outcome.ok ? 'ok' : outcome.code, 'address_unavailable');
      return assert.equal(outcome.ok ? '' : outcome.reason === 'outside', offset >= this.oracle.size);
    }
    if (this.holders.has(address)) return assert.deepEqual(outcome, { ok: false, code: 'address_unavailable', reason: 'taken' });
    assert.deepEqual(outcome, { ok: true, address, created: true });
    this.take(owner, address);
  }

  take(owner: string, address: string): void {
    this.byOwner.set(owner, address);
    this.holders.set(address, owner);
  }

  release(address: string): void {
    const owner = this.holders.get(address);
    if (owner !== undefined) this.byOwner.delete(owner);
    this.holders.delete(address);
  }

  matches(store: Store): void {
    const actual = store.allocations.list('net').map((a) => [a.address, a.owner] as const);
    assert.deepEqual(new Map(actual), this.holders);
  }
}


async function releaseWhere(store: Store, network: Network, find: 'owner' | 'address', key: string): Promise<string | undefined> {
  const { value } = await store.write(async (tx) => {
    const held = find === 'owner' ? await tx.allocations.byOwner('net', key) : await tx.allocations.byAddress('net', key);
    if (held !== undefined) await releaseAllocation(tx, held, network);
    return held?.address;
  });
  return value;
}

interface Run {
  store: Store;
  readonly location: string;
  readonly network: Network;
  readonly model: Model;
  fresh: number;
}

async function step(run: Run, folder: StoreFolder, command: Command): Promise<void> {
  const { network, model } = run;
  const owner = (n: number) => `owner-${n}`;
  switch (command.kind) {
    case 'allocate':
      return model.allocated(owner(command.owner), await allocateIn(run.store, network, owner(command.owner)));
    case 'specific': {
      const outcome = await allocateIn(run.store, network, owner(command.owner), textAt(model.oracle, command.offset));
      return model.requested(owner(command.owner), command.offset, outcome);
    }
    case 'release': {
      const released = await releaseWhere(run.store, network, 'owner', owner(command.owner));
      assert.equal(released, model.byOwner.get(owner(command.owner)));
      if (released !== undefined) model.release(released);
      return;
    }
    case 'releaseAddress': {
      const address = textAt(model.oracle, command.offset);
      const released = await releaseWhere(run.store, network, 'address', address);
      assert.equal(released, model.holders.has(address) ? address : undefined);
      if (released !== undefined) model.release(released);
      return;
    }
    case 'burst': {
      const outcomes = await Promise.all(command.owners.map((o) => allocateIn(run.store, network, owner(o))));
      command.owners.forEach((o, i) => model.allocated(owner(o), outcomes[i] ?? { ok: false, code: 'missing' }));
      return;
    }
    case 'fill':
      return fill(run, command.count);
    case 'restart':
      await run.store.close();
      run.store = await folder.open(run.location);
      return model.matches(run.store);
    default: {
      const never: never = command;
      return never;
    }
  }
}

/** Many allocations in one write, stopping at the first `network_exhausted`. */
async function fill(run: Run, count: number): Promise<void> {
  const owners = Array.from({ length: count }, () => `fill-${run.fresh++}`);
  const { value } = await run.store.write(async (tx) => {
    const outcomes: Outcome[] = [];
    for (const owner of owners) {
      const outcome = await attempt(async () => {
        const { allocation, created } = await allocateAddress(tx, { network: run.network, owner, now: 0 });
        return { address: allocation.address, created };
      });
      outcomes.push(outcome);
      if (!outcome.ok) break;
    }
    return outcomes;
  });
  value.forEach((outcome, i) => run.model.allocated(owners[i] ?? '', outcome));
}

describe('allocateAddress and releaseAllocation (property)', () => {
  let folder: StoreFolder;
  before(async () => {
    folder = await storeFolder({ tmpfs: true });
  });
  after(() => folder.close());

  const blocks = ['10.20.0.0/24', '10.20.0.0/30', '10.20.0.6/31', '10.20.0.9/32', 'fd00:20::/64', 'fd00:20::/120'];
  for (const block of blocks) {
    it(`never hands out an address twice, outside ${block} or excluded, and is exhausted exactly when nothing is free`, async () => {
      await fc.assert(
        fc.asyncProperty(scenario(block), async (s) => {
          const oracle = oracleFor(s.cidr, s.gateway, s.reserved);
          const location = folder.fresh();
          const run: Run = { store: await folder.open(location), location, network: networkFor(s, oracle), model: new Model(oracle), fresh: 0 };
          try {
            for (const command of s.commands) await step(run, folder, command);
            run.model.matches(run.store);
          } finally {
            await run.store.close();
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('allocateAddress after the configuration changed', () => {
  let folder: StoreFolder;
  before(async () => {
    folder = await storeFolder();
  });
  after(() => folder.close());

  const compiledNetwork = (cidr: string, reserved: readonly string[] = []): Network => {
    const result = compileNetwork({ name: 'net', kind: 'lan', cidr, reserved });
    if (!result.ok) throw new Error('does not compile');
    return result.network;
  };

  it('starts a fresh cursor in a new CIDR and steps over the addresses still held in it', async () => {
    const store = await folder.open(folder.fresh());
    try {
      const small = compiledNetwork('10.30.0.0/29');
      for (const owner of ['a', 'b']) assert.equal((await allocateIn(store, small, owner)).ok, true);
      const grown = compiledNetwork('10.30.0.0/28');
      const c = await allocateIn(store, grown, 'c');
      assert.deepEqual(c, { ok: true, address: '10.30.0.3', created: true });
      assert.deepEqual(await allocateIn(store, grown, 'a'), { ok: true, address: '10.30.0.1', created: false });
    } finally {
      await store.close();
    }
  });

  it('does not hand out a released address that has since been reserved', async () => {
    const store = await folder.open(folder.fresh());
    try {
      const before = compiledNetwork('10.31.0.0/29');
      await allocateIn(store, before, 'a');
      await allocateIn(store, before, 'b');
      await releaseWhere(store, before, 'owner', 'a');
      const after = compiledNetwork('10.31.0.0/29', ['10.31.0.1']);
      assert.deepEqual(await allocateIn(store, after, 'c'), { ok: true, address: '10.31.0.3', created: true });
    } finally {
      await store.close();
    }
  });
});
