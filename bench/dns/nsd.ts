/**
 * NSD, NLnet Labs' authoritative-only server (Debian's `nsd`, installed with apt when missing, as
 * .ci/run installs it), answering the same names from a zone file: the side-by-side figure for
 * the DNS interface. One server process, on 127.0.0.1 and a free port, in a temp folder.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as packet from 'dns-packet';
import { freePort } from '../lib/ports.js';
import { aptInstall, stopper } from '../lib/system.js';

export interface NsdProcess {
  readonly port: number;
  readonly version: string;
  readonly pid: number;
  /** CPU seconds of nsd and the processes it forked (its server and xfrd). */
  cpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

function nsdVersion(): string | undefined {
  const probe = spawnSync('nsd', ['-v'], { encoding: 'utf8' });
  if (probe.error !== undefined) return undefined;
  return /NSD version (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
}

/** Returns NSD's version, installing Debian's nsd first when it is missing. */
export function ensureNsdInstalled(log: (line: string) => void): string {
  const found = nsdVersion();
  if (found !== undefined) return found;
  aptInstall('nsd', log);
  return nsdVersion() ?? 'unknown';
}

/** The zone file: the apex SOA and NS, and one A record per name, TTL 0 like the registry's default. */
function zoneText(domain: string, records: readonly { readonly name: string; readonly address: string }[]): string {
  const head = [`$ORIGIN ${domain}`, '$TTL 0', `@ IN SOA ns.${domain} hostmaster.${domain} 1 3600 600 86400 0`, `@ IN NS ns.${domain}`, 'ns IN A 127.0.0.1'];
  return `${[...head, ...records.map((r) => `${r.name}. IN A ${r.address}`)].join('\n')}\n`;
}

function config(dir: string, port: number, domain: string): string {
  return `server:
  ip-address: 127.0.0.1
  port: ${port}
  username: ""
  zonesdir: "${dir}"
  database: ""
  pidfile: "${join(dir, 'nsd.pid')}"
  xfrdfile: "${join(dir, 'xfrd.state')}"
  zonelistfile: "${join(dir, 'zone.list')}"
  logfile: "${join(dir, 'nsd.log')}"
  server-count: 1
  hide-version: yes
  # Debian builds NSD with response rate limiting: under the bench's load it slips some answers
  # (empty, truncated, NOERROR), which the load generator counts as failures. The registry limits nothing here either.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "${domain}"
  zonefile: "zone"
`;
}

/** True once an A query for `name` is answered. */
async function answers(port: number, name: string): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      socket.once('message', (reply) => {
        clearTimeout(timer);
        resolve(reply.readUInt16BE(6) > 0);
      });
      socket.send(packet.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** User and system CPU seconds of `pid` and every process below it. */
async function treeCpuSeconds(root: number): Promise<number> {
  const stats = await Promise.all(
    (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')),
  );
  const rows = stats.filter((s) => s !== '').map((s) => {
    const fields = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(s.slice(0, s.indexOf(' '))), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  });
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (tree.has(row.pid) || !tree.has(row.ppid)) continue;
      tree.add(row.pid);
      grew = true;
    }
  }
  return rows.filter((row) => tree.has(row.pid)).reduce((sum, row) => sum + row.ticks, 0) / 100;
}

/** Starts NSD on `records` under `domain` (`registry.`) and resolves once it answers the first name. */
export async function startNsd(root: string, domain: string, records: readonly { readonly name: string; readonly address: string }[], version: string): Promise<NsdProcess> {
  const dir = await mkdtemp(join(root, 'nsd-'));
  const port = await freePort();
  await writeFile(join(dir, 'zone'), zoneText(domain, records));
  await writeFile(join(dir, 'nsd.conf'), config(dir, port, domain));
  const child: ChildProcess = spawn('nsd', ['-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk.slice(0, 4096)));
  const close = stopper(child);
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('nsd did not start');
    const deadline = Date.now() + 30_000;
    while (!(await answers(port, records[0]?.name ?? domain))) {
      if (child.exitCode !== null) throw new Error(`nsd exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`nsd did not answer within 30 s: ${stderr}`);
    }
    return { port, version, pid, cpuSeconds: () => treeCpuSeconds(pid), close };
  } catch (error) {
    await close();
    throw error;
  }
}
