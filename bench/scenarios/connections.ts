/**
 * Scenario 5: idle TLS WebSocket connections held by holder processes (each under its own file
 * descriptor limit), and what they cost the server: its RSS growth divided by the connections.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type BenchContext, startRegistry } from '../context.js';
import type { ConnectionFigures } from '../figures.js';
import { type BenchChild, spawnChild } from '../lib/child.js';
import { makeDataDir } from '../lib/seed.js';
import { split } from '../lib/workers.js';

const holderScript = fileURLToPath(new URL('../children/holder.ts', import.meta.url));

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

export async function connectionsScenario(ctx: BenchContext): Promise<ConnectionFigures> {
  const limit = hardFdLimit();
  const needed = ctx.plan.idleConnections + 1_000;
  if (!(limit >= needed)) {
    throw new Error(`the server needs ${needed} open files for ${ctx.plan.idleConnections} connections; the hard limit is ${limit} (raise it, e.g. in /etc/security/limits.conf)`);
  }
  const server = await startRegistry(await makeDataDir(ctx.root, 'idle'));
  const holders: BenchChild[] = [];
  try {
    const caPath = join(ctx.root, 'idle-ca.pem');
    await writeFile(caPath, server.ca);
    const rssBeforeBytes = await settledRss(() => server.child.rssBytes());
    const total = ctx.plan.idleConnections;
    const parts = split(total, Math.ceil(total / ctx.plan.connectionsPerHolder));
    let closed = '';
    for (const count of parts) {
      // One holder at a time: the server's accept queue sees at most one holder's handshakes.
      holders.push(
        await spawnChild(holderScript, [server.url, String(count), caPath], {
          readyTimeoutMs: 300_000,
          raiseFdLimit: true,
          onLine: (line) => (closed ||= line),
        }),
      );
    }
    const rssAfterBytes = await settledRss(() => server.child.rssBytes());
    if (closed !== '') throw new Error(`the server dropped idle connections: ${closed}`);
    const holderRss = (await Promise.all(holders.map((h) => h.rssBytes()))).reduce((n, b) => n + b, 0);
    ctx.results.connections = {
      connections: total,
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerConnection: Math.round((rssAfterBytes - rssBeforeBytes) / total),
      clientBytesPerConnection: Math.round(holderRss / total),
    };
    return ctx.results.connections;
  } finally {
    await Promise.all(holders.map((h) => h.close()));
    await server.close();
  }
}
