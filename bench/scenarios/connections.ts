/**
 * Scenario 5: idle TLS WebSocket connections held by holder processes (each under its own file
 * descriptor limit), and what they cost the server: its RSS growth divided by the connections,
 * beside the same for the raw ws echo server in the same run (the target is a ratio to it).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type BenchContext, startRegistry } from '../context.js';
import type { ConnectionFigures } from '../figures.js';
import { type BenchChild, field, isNumber, spawnChild } from '../lib/child.js';
import { type DataDir, makeDataDir } from '../lib/seed.js';
import { split } from '../lib/workers.js';
import { bothStarted } from '../lib/together.js';

const holderScript = fileURLToPath(new URL('../children/holder.ts', import.meta.url));
const echoScript = fileURLToPath(new URL('../children/echo.ts', import.meta.url));

/** Reads RSS until two readings 250 ms apart differ by less than 0.5% (or 10 s pass). */
async function settledRss(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let i = 0; i < 40; i++) {
    await delay(250);
    const next = await read();
    if (Math.abs(next - last) < last * 0.005) return next;
    last = next;
  }
  return last;
}

/** The hard open-file limit children can raise themselves to. */
function hardFdLimit(): number {
  const probe = spawnSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const text = probe.stdout.trim();
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

/** Idle connections held against one server: its RSS growth per connection, and the holders' own RSS per connection. */
async function idleCost(ctx: BenchContext, url: string, caPath: string, rss: () => Promise<number>): Promise<{ before: number; after: number; perConnection: number; clientPerConnection: number }> {
  const holders: BenchChild[] = [];
  try {
    const before = await settledRss(rss);
    const total = ctx.plan.idleConnections;
    const parts = split(total, Math.ceil(total / ctx.plan.connectionsPerHolder));
    let closed = '';
    for (const count of parts) {
      // One holder at a time: the server's accept queue sees at most one holder's handshakes.
      holders.push(
        await spawnChild(holderScript, [url, String(count), caPath], {
          readyTimeoutMs: 300_000,
          phase: 'measure',
          raiseFdLimit: true,
          onLine: (line) => (closed ||= line),
        }),
      );
    }
    const after = await settledRss(rss);
    if (closed !== '') throw new Error(`the server at ${url} dropped idle connections: ${closed}`);
    const holderRss = (await Promise.all(holders.map((h) => h.rssBytes()))).reduce((n, b) => n + b, 0);
    return { before, after, perConnection: Math.round((after - before) / total), clientPerConnection: Math.round(holderRss / total) };
  } finally {
    await Promise.all(holders.map((h) => h.close()));
  }
}

/**
 * The raw ws echo (bench/children/echo.ts) on the same certificate and TLS options: the same
 * idle connections cost it what TLS, ws and Node cost, and nothing of ours.
 */
async function startIdleEcho(ctx: BenchContext, data: DataDir): Promise<BenchChild> {
  const specPath = join(ctx.root, 'idle-echo.json');
  await writeFile(specPath, JSON.stringify({ cert: data.tls.certPath, key: data.tls.keyPath, replies: {} }));
  return spawnChild(echoScript, [specPath], { raiseFdLimit: true });
}

export async function connectionsScenario(ctx: BenchContext): Promise<ConnectionFigures> {
  const limit = hardFdLimit();
  const needed = ctx.plan.idleConnections + 1_000;
  if (!(limit >= needed)) {
    throw new Error(`the server needs ${needed} open files for ${ctx.plan.idleConnections} connections; the hard limit is ${limit} (raise it, e.g. in /etc/security/limits.conf)`);
  }
  const data = await makeDataDir(ctx.root, 'idle');
  const caPath = join(ctx.root, 'idle-ca.pem');
  // Both servers start side by side; each is measured while the other sits idle.
  const [server, echo] = await bothStarted(startRegistry(data), startIdleEcho(ctx, data));
  let ours: Awaited<ReturnType<typeof idleCost>>;
  let echoPerConnection: number;
  try {
    try {
      await writeFile(caPath, server.ca);
      ours = await idleCost(ctx, server.url, caPath, () => server.child.rssBytes());
    } finally {
      await server.close();
    }
    const echoUrl = `wss://127.0.0.1:${field(echo.ready, 'port', isNumber)}`;
    echoPerConnection = (await idleCost(ctx, echoUrl, caPath, () => echo.rssBytes())).perConnection;
  } finally {
    await echo.close();
  }
  const figures: ConnectionFigures = {
    connections: ctx.plan.idleConnections,
    rssBeforeBytes: ours.before,
    rssAfterBytes: ours.after,
    bytesPerConnection: ours.perConnection,
    echoBytesPerConnection: echoPerConnection,
    clientBytesPerConnection: ours.clientPerConnection,
  };
  ctx.results.connections = figures;
  return figures;
}
