import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import { sqliteDiagnostics } from '../../src/store/internal.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { type ProcessExit, type ServerProcess, spawnServerProcess } from '../helpers/server-process.js';
import { startTestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;
const dialects = ['jsonrpc', 'envelope', 'hub'] as const;
type Dialect = (typeof dialects)[number];

const CONNECTIONS = 20;
const PER_CONNECTION = 50;
const TOTAL = CONNECTIONS * PER_CONNECTION;
/**
 * The server answers in group-commit batches: fired all at once, 1,000 registrations commit
 * in two or three transactions whose answers arrive together, so a kill counted from the
 * answers would always land after the last commit. Connections therefore fire in a cascade
 * driven by the answers: FIRST_WAVE connections at once, then one more per CASCADE_STEP
 * acknowledgements, each pipelining its 50 without waiting. The last connection fires at
 * KILL_AFTER acknowledgements (between a third and a half) and the SIGKILL follows in the same
 * tick, so every registration is sent before the kill and the kill lands while the server is
 * still taking in or committing the latest ones (the last 50 can never be acknowledged).
 */
const FIRST_WAVE = 5;
const CASCADE_STEP = 28;
const KILL_AFTER = (CONNECTIONS - FIRST_WAVE) * CASCADE_STEP;
const LIMIT_MS = 30_000;

const nameOf = (conn: number, k: number): string => `crash-${conn}-${k}`;

/** A registration of `name` in one of the three dialects (README "Wire protocol"). */
function registration(dialect: Dialect, id: number, name: string): Obj {
  const params = { name, host: '10.1.0.1', port: 4000 + (id % 1000) };
  switch (dialect) {
    case 'jsonrpc':
      return { jsonrpc: '2.0', id, method: 'registry.register', params };
    case 'envelope':
      return { id: `r${id}`, type: 'request', action: 'register', params };
    case 'hub':
      return { jsonrpc: '2.0', id, method: 'registry-hub.call', params: { method: 'registry.register', params } };
  }
}

/** The name a frame acknowledges as registered, or undefined when it acknowledges none. */
function acknowledged(frame: Obj): string | undefined {
  const registered = (content: unknown): string | undefined => {
    if (typeof content !== 'object' || content === null) return undefined;
    const c = content as Obj;
    if (c.type !== 'backend_registered' && c.type !== 'backend_updated') return undefined;
    const name = (c.backend as Obj | undefined)?.name;
    return typeof name === 'string' ? name : undefined;
  };
  if (frame.type === 'response') {
    const service = (frame.result as Obj | undefined)?.service as Obj | undefined;
    return typeof service?.name === 'string' ? service.name : undefined;
  }
  if (frame.method === 'registry-hub.call') {
    const item = (frame.params as Obj | undefined)?.result as Obj | undefined;
    return item?.type === 'data' ? registered(item.content) : undefined;
  }
  return registered(frame.result);
}

/** An error answer in any dialect: a JSON-RPC or envelope error, or a hub `error` item or content. */
function isFailure(frame: Obj): boolean {
  if (frame.error !== undefined) return true;
  const item = (frame.params as Obj | undefined)?.result as Obj | undefined;
  return item?.type === 'error' || (item?.content as Obj | undefined)?.type === 'error';
}

/** Resolves once `socket` is closed, or after `ms` (so a stuck socket cannot hang the test). */
function closedWithin(socket: WebSocket, ms: number): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('crash during a burst of registrations (SQLite)', () => {
  let dataDir: string;
  let proc: ServerProcess | undefined;
  const sockets: RawSocket[] = [];
  const acked = new Set<string>();
  const failures: Obj[] = [];
  let sent = 0;
  let atKill: { readonly sent: number; readonly acked: number } | undefined;
  let exit: ProcessExit | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-crash-'));
    await chmod(dataDir, 0o755);
    proc = await spawnServerProcess(dataDir);
    const { url, caPem } = proc;
    for (let conn = 0; conn < CONNECTIONS; conn++) sockets.push(await openRawSocket(url, caPem));

    const server = proc;
    let id = 0;
    let fired = 0;
    const fire = (conn: number): void => {
      const raw = sockets[conn];
      if (raw === undefined) return;
      const dialect = dialects[conn % dialects.length] ?? 'jsonrpc';
      for (let k = 0; k < PER_CONNECTION; k++) raw.send(registration(dialect, ++id, nameOf(conn, k)));
      sent += PER_CONNECTION;
      fired++;
    };
    const killedMidBurst = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${acked.size} acks within ${LIMIT_MS} ms`)), LIMIT_MS);
      sockets.forEach((raw) => {
        raw.socket.on('error', () => {}); // the server dies under these sockets: resets are expected
        raw.socket.on('message', (data) => {
          const frame = JSON.parse(String(data)) as Obj;
          const name = acknowledged(frame);
          if (name !== undefined) acked.add(name);
          else if (isFailure(frame)) failures.push(frame);
          while (fired < CONNECTIONS && acked.size >= (fired - FIRST_WAVE + 1) * CASCADE_STEP) fire(fired);
          if (atKill === undefined && fired === CONNECTIONS) {
            atKill = { sent, acked: acked.size };
            server.kill('SIGKILL');
            clearTimeout(timer);
            resolve();
          }
        });
      });
    });
    for (let conn = 0; conn < FIRST_WAVE; conn++) fire(conn);
    await killedMidBurst;
    exit = await proc.exited;
    await Promise.all(sockets.map((raw) => closedWithin(raw.socket, 10_000)));
  });

  after(async () => {
    for (const raw of sockets) raw.socket.terminate();
    await proc?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('lands the SIGKILL mid-burst: every registration sent, some but not all acknowledged', () => {
    assert.equal(exit?.signal, 'SIGKILL');
    assert.equal(atKill?.sent, TOTAL, 'every registration was sent before the kill');
    assert.deepEqual(failures, [], 'no registration is answered with an error');
    assert.ok(acked.size >= KILL_AFTER, `at least ${KILL_AFTER} acknowledgements arrived (got ${acked.size})`);
    assert.ok(acked.size < TOTAL, `the kill landed before all ${TOTAL} were acknowledged (got ${acked.size}; ${atKill?.acked} at the kill)`);
  });

  it('leaves a database that passes PRAGMA integrity_check and holds every acknowledged registration', async () => {
    const config = await loadConfig({
      flags: { host: '127.0.0.1', port: 0, dataDir, configPath: join(dataDir, 'backends.toml') },
      env: {},
      cwd: dataDir,
    });
    const store = await openStore({ location: config.storage.url });
    try {
      assert.deepEqual(await sqliteDiagnostics(store).integrityCheck(), ['ok']);
      const missing = [...acked].filter((name) => store.services.get(name) === undefined);
      assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged registrations are missing from the store`);
    } finally {
      await store.close();
    }
  });

  it('serves every acknowledged registration after a restart on the same data folder', async () => {
    const restarted = await startTestServer({ dataDir });
    const raw = await openRawSocket(restarted.url, restarted.caPem);
    try {
      raw.send({ id: 'after-crash', type: 'request', action: 'list_services', params: {} });
      const answer = await raw.next(LIMIT_MS);
      assert.equal(answer.id, 'after-crash');
      assert.ok(Array.isArray(answer.result), `list_services answers a list: ${JSON.stringify(answer).slice(0, 300)}`);
      const listed = new Set((answer.result as Obj[]).map((s) => s.name));
      const missing = [...acked].filter((name) => !listed.has(name));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged registrations are not listed after restart`);
    } finally {
      await raw.close();
      await restarted.close();
    }
  });
});
