/**
 * Ten rounds of: start the server on one data folder, drive mixed writes over the three
 * dialects (registrations, deregistrations, IP allocations, tokens), SIGKILL it at a random
 * moment, then open the store and check that it passes integrity_check and holds every write
 * that was acknowledged — and none that was acknowledged as undone. The seed is printed, so a
 * failing round can be replayed with REGISTRY_CRASH_SEED.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { sqliteDiagnostics } from '../../src/store/internal.js';
import { spawnServerProcess } from '../helpers/server-process.js';
import { type Obj, openSocket, type TestSocket } from './support.js';

const ROUNDS = 10;
const IN_FLIGHT = 12;
const NETWORK = 'crashnet';
const SEED = Number(process.env.REGISTRY_CRASH_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Write =
  | { readonly kind: 'register'; readonly name: string }
  | { readonly kind: 'deregister'; readonly name: string }
  | { readonly kind: 'allocate'; readonly owner: string }
  | { readonly kind: 'token'; readonly name: string };

/** What the store must hold after a crash: every acknowledged write. */
interface Acknowledged {
  readonly present: Set<string>;
  readonly absent: Set<string>;
  readonly owners: Set<string>;
  readonly tokens: Set<string>;
}

const registerParams = (name: string) => ({ name, host: '10.1.0.1', port: 4000 });

/** The frame for a write in a dialect; the hub and JSON-RPC carry only (de)registrations. */
function frameFor(dialect: number, id: number, write: Write): Obj {
  if (dialect === 1 && (write.kind === 'register' || write.kind === 'deregister')) {
    return { jsonrpc: '2.0', id, method: `registry.${write.kind}`, params: write.kind === 'register' ? registerParams(write.name) : { name: write.name } };
  }
  if (dialect === 2 && write.kind === 'register') {
    return { jsonrpc: '2.0', id, method: 'registry-hub.call', params: { method: 'registry.register', params: registerParams(write.name) } };
  }
  const [action, params] =
    write.kind === 'register' ? ['register', registerParams(write.name)]
    : write.kind === 'deregister' ? ['deregister', { name: write.name }]
    : write.kind === 'allocate' ? ['allocate_ip', { network: NETWORK, owner: write.owner }]
    : ['token_create', { name: write.name, role: 'read' }];
  return { id: String(id), type: 'request', action, params };
}

/** Reads answers of any dialect: calls `done(id, ok)` once per request. */
function answerReader(done: (id: number, ok: boolean, frame: Obj) => void): (frame: Obj) => void {
  const streams = new Map<string, number>();
  return (frame) => {
    if (frame.method === 'registry-hub.call') {
      const p = frame.params as Obj;
      const result = p.result as Obj;
      const id = streams.get(String(p.subscription));
      if (id === undefined || result.type === 'done') return;
      streams.delete(String(p.subscription));
      done(id, result.type === 'data' && (result.content as Obj).type !== 'error', frame);
      return;
    }
    const id = Number(frame.id);
    if (frame.jsonrpc === '2.0' && typeof frame.result === 'string') streams.set(frame.result, id);
    else done(id, frame.error === undefined, frame);
  };
}

interface RoundPlan {
  readonly killAfter: number;
  readonly next: () => Write;
}

/** Drives writes with IN_FLIGHT pending per connection and SIGKILLs the server after `killAfter` acknowledgements. */
async function driveRound(sockets: readonly TestSocket[], plan: RoundPlan, kill: () => void, acked: Acknowledged): Promise<Obj[]> {
  const failures: Obj[] = [];
  const pending = new Map<number, Write>();
  let id = 0;
  let count = 0;
  return new Promise((resolve) => {
    const send = (dialect: number): void => {
      const write = plan.next();
      // A deregistration in flight at the kill may or may not have committed: from now on the name is in doubt.
      if (write.kind === 'deregister') acked.present.delete(write.name);
      pending.set(++id, write);
      sockets[dialect]?.send(frameFor(dialect, id, write));
    };
    sockets.forEach((ws, dialect) => {
      ws.socket.on('message', (data) => {
        answerReader((answered, ok, frame) => {
          const write = pending.get(answered);
          if (write === undefined || count >= plan.killAfter) return;
          pending.delete(answered);
          if (!ok) failures.push(frame);
          else if (write.kind === 'register') acked.present.add(write.name);
          else if (write.kind === 'deregister') acked.absent.add(write.name);
          else if (write.kind === 'allocate') acked.owners.add(write.owner);
          else acked.tokens.add(write.name);
          if (++count === plan.killAfter) {
            kill();
            resolve(failures);
          } else {
            send(dialect);
          }
        })(JSON.parse(String(data)) as Obj);
      });
      for (let i = 0; i < IN_FLIGHT; i++) send(dialect);
    });
  });
}

describe('crash during mixed writes (SIGKILL, 10 rounds)', () => {
  let dataDir: string;
  const acked: Acknowledged = { present: new Set(), absent: new Set(), owners: new Set(), tokens: new Set() };
  const rng = random(SEED);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-crash-mixed-'));
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, 'backends.toml'), `[[network]]\nname = "${NETWORK}"\nkind = "lan"\ncidr = "10.99.0.0/16"\n`);
    process.stderr.write(`crash test seed: ${SEED} (replay with REGISTRY_CRASH_SEED=${SEED})\n`);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  async function checkStore(round: number): Promise<void> {
    const store = await openStore({ location: join(dataDir, 'registry.db') });
    try {
      assert.deepEqual(await sqliteDiagnostics(store).integrityCheck(), ['ok'], `round ${round}`);
      const lost = [...acked.present].filter((name) => store.services.get(name) === undefined);
      const revived = [...acked.absent].filter((name) => store.services.get(name) !== undefined);
      const lostIps = [...acked.owners].filter((owner) => store.allocations.byOwner(NETWORK, owner) === undefined);
      const lostTokens = [...acked.tokens].filter((name) => store.tokens.get(name) === undefined);
      assert.deepEqual({ lost, revived, lostIps, lostTokens }, { lost: [], revived: [], lostIps: [], lostTokens: [] }, `round ${round}, seed ${SEED}`);
    } finally {
      await store.close();
    }
  }

  it('loses no acknowledged write and keeps the database intact', async () => {
    let serial = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const proc = await spawnServerProcess(dataDir);
      const sockets = await Promise.all([0, 1, 2].map(() => openSocket(proc.url, { ca: proc.caPem })));
      const removable = [...acked.present];
      const next = (): Write => {
        const roll = rng();
        const n = ++serial;
        if (roll < 0.15 && removable.length > 0) return { kind: 'deregister', name: removable.splice(Math.floor(rng() * removable.length), 1)[0] ?? '' };
        if (roll < 0.3) return { kind: 'allocate', owner: `owner-${n}` };
        if (roll < 0.35) return { kind: 'token', name: `token-${n}` };
        return { kind: 'register', name: `svc-${n}` };
      };
      try {
        const failures = await driveRound(sockets, { killAfter: 20 + Math.floor(rng() * 400), next }, () => proc.kill('SIGKILL'), acked);
        assert.deepEqual(failures, [], `round ${round}: no write is answered with an error`);
        assert.equal((await proc.exited).signal, 'SIGKILL');
      } finally {
        for (const ws of sockets) ws.socket.terminate();
        await proc.close();
      }
      await checkStore(round);
    }
    assert.ok(acked.present.size > 0 && acked.owners.size > 0 && acked.absent.size > 0);
  });
});
