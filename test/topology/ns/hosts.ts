/**
 * Three hosts from network namespaces for the topology e2e test:
 *
 *   A ── veth 10.231.1.0/24 (LAN) ── B
 *   A ── veth 10.231.2.0/24 (underlay only) ── C,  and over it WireGuard 10.232.0.0/24:
 *        A = 10.232.0.1 (wireguard-go), C = 10.232.0.2 (wireguard-go)
 *
 * With `{ outsider: true }`, a fourth host D reaches A over a veth in a public range (TEST-NET-3,
 * 203.0.113.0/24): on neither A's LAN nor its WireGuard network.
 *
 * Names carry a random suffix (namespaces, veths and WireGuard interfaces: /var/run/wireguard is
 * shared by every namespace). `close()` kills what it started and deletes the namespaces.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const WG_ENV = { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' };

export const LAN = { a: '10.231.1.1', b: '10.231.1.2', prefix: 24 } as const;
export const UNDERLAY = { a: '10.231.2.1', c: '10.231.2.2', prefix: 24 } as const;
export const WIREGUARD = { a: '10.232.0.1', c: '10.232.0.2', prefix: 24, portA: 51_820, portC: 51_821 } as const;
export const OUTSIDE = { a: '203.0.113.1', d: '203.0.113.2', prefix: 24 } as const;

export const run = async (command: string, args: readonly string[], input?: string): Promise<string> => {
  const child = exec(command, [...args], { env: WG_ENV, timeout: 20_000 });
  if (input !== undefined) child.child.stdin?.end(input);
  return (await child).stdout;
};

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Why the e2e cannot run here, or undefined when it can: root, `ip netns`, wireguard-go and wg. */
export async function missingPeers(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const [command, args] of [
    ['ip', ['netns', 'list']],
    ['wg', ['--version']],
    ['wireguard-go', ['--version']],
  ] as const) {
    const ok = await run(command, args).then(
      () => true,
      () => false,
    );
    if (!ok) return `'${command} ${args.join(' ')}' does not run (install iproute2, wireguard-tools and wireguard-go)`;
  }
  return undefined;
}

export interface Hosts {
  /** `d` only with `{ outsider: true }`. */
  readonly ns: { readonly a: string; readonly b: string; readonly c: string; readonly d?: string };
  readonly wg: { readonly a: string; readonly c: string };
  /** The veth ends: `ab` is A's end of the A–B pair, `ba` B's, and so on. */
  readonly links: { readonly ab: string; readonly ba: string; readonly ac: string; readonly ca: string };
  /** Runs a command inside a namespace. */
  inNs(ns: string, command: string, args: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

async function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await exists(path))) {
    if (child.exitCode !== null) throw new Error(`wireguard-go exited (${child.exitCode}) before creating ${path}`);
    if (Date.now() > deadline) throw new Error(`wireguard-go did not create ${path} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Builds A, B and C (and D when asked); on any failure tears down what it built and rethrows. */
export async function buildHosts(workDir: string, options: { readonly outsider?: boolean } = {}): Promise<Hosts> {
  const id = randomBytes(3).toString('hex');
  const ns = { a: `regA-${id}`, b: `regB-${id}`, c: `regC-${id}`, ...(options.outsider === true ? { d: `regD-${id}` } : {}) };
  const wg = { a: `wgA${id}`, c: `wgC${id}` };
  const links = { ab: `vab${id}`, ba: `vba${id}`, ac: `vac${id}`, ca: `vca${id}` };
  const daemons: ChildProcess[] = [];
  const inNs = (name: string, command: string, args: readonly string[]) => run('ip', ['netns', 'exec', name, command, ...args]);
  const close = async (): Promise<void> => {
    await Promise.all(
      daemons.map(async (d) => {
        if (d.exitCode !== null || d.signalCode !== null) return;
        const gone = new Promise((resolve) => d.once('exit', resolve));
        d.kill('SIGTERM');
        await gone;
      }),
    );
    for (const name of Object.values(ns)) await run('ip', ['netns', 'del', name]).catch(() => undefined);
    // A veth still in the root namespace (a failed move) goes with its own deletion.
    for (const name of [`vab${id}`, `vac${id}`, `vad${id}`]) await run('ip', ['link', 'del', name]).catch(() => undefined);
    for (const name of Object.values(wg)) await rm(`/var/run/wireguard/${name}.sock`, { force: true });
  };
  try {
    for (const name of Object.values(ns)) {
      await run('ip', ['netns', 'add', name]);
      await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    }
    await veth(links.ab, ns.a, `${LAN.a}/${LAN.prefix}`, links.ba, ns.b, `${LAN.b}/${LAN.prefix}`);
    await veth(links.ac, ns.a, `${UNDERLAY.a}/${UNDERLAY.prefix}`, links.ca, ns.c, `${UNDERLAY.c}/${UNDERLAY.prefix}`);
    if (ns.d !== undefined) await veth(`vad${id}`, ns.a, `${OUTSIDE.a}/${OUTSIDE.prefix}`, `vda${id}`, ns.d, `${OUTSIDE.d}/${OUTSIDE.prefix}`);
    const keys = { a: await keyPair(workDir, 'a'), c: await keyPair(workDir, 'c') };
    for (const [side, name] of [['a', ns.a], ['c', ns.c]] as const) {
      const daemon = spawn('ip', ['netns', 'exec', name, 'wireguard-go', '-f', wg[side]], { env: WG_ENV, stdio: 'ignore' });
      daemons.push(daemon);
      await waitForSocket(`/var/run/wireguard/${wg[side]}.sock`, daemon);
    }
    await inNs(ns.a, 'wg', ['set', wg.a, 'private-key', keys.a.file, 'listen-port', String(WIREGUARD.portA), 'peer', keys.c.pub,
      'allowed-ips', `${WIREGUARD.c}/32`, 'endpoint', `${UNDERLAY.c}:${WIREGUARD.portC}`]);
    await inNs(ns.c, 'wg', ['set', wg.c, 'private-key', keys.c.file, 'listen-port', String(WIREGUARD.portC), 'peer', keys.a.pub,
      'allowed-ips', `${WIREGUARD.a}/32`, 'endpoint', `${UNDERLAY.a}:${WIREGUARD.portA}`]);
    await run('ip', ['-n', ns.a, 'addr', 'add', `${WIREGUARD.a}/${WIREGUARD.prefix}`, 'dev', wg.a]);
    await run('ip', ['-n', ns.c, 'addr', 'add', `${WIREGUARD.c}/${WIREGUARD.prefix}`, 'dev', wg.c]);
    await run('ip', ['-n', ns.a, 'link', 'set', wg.a, 'up']);
    await run('ip', ['-n', ns.c, 'link', 'set', wg.c, 'up']);
    return { ns, wg, links, inNs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A veth pair with one end (and its address) in each namespace, both up. */
async function veth(left: string, leftNs: string, leftAddr: string, right: string, rightNs: string, rightAddr: string): Promise<void> {
  await run('ip', ['link', 'add', left, 'type', 'veth', 'peer', 'name', right]);
  await run('ip', ['link', 'set', left, 'netns', leftNs]);
  await run('ip', ['link', 'set', right, 'netns', rightNs]);
  await run('ip', ['-n', leftNs, 'addr', 'add', leftAddr, 'dev', left]);
  await run('ip', ['-n', rightNs, 'addr', 'add', rightAddr, 'dev', right]);
  await run('ip', ['-n', leftNs, 'link', 'set', left, 'up']);
  await run('ip', ['-n', rightNs, 'link', 'set', right, 'up']);
}

async function keyPair(dir: string, name: string): Promise<{ file: string; pub: string }> {
  const key = (await run('wg', ['genkey'])).trim();
  const file = join(dir, `${name}.key`);
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { file, pub: (await run('wg', ['pubkey'], `${key}\n`)).trim() };
}
