/**
 * Reads this host's interfaces: addresses from `os.networkInterfaces()`, link facts from
 * /sys/class/net, and userspace WireGuard from its UAPI sockets in /var/run/wireguard.
 */
import { readdir, readFile } from 'node:fs/promises';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ARPHRD_NONE } from './classify.js';
import type { AddressCandidate, LinkFacts } from './types.js';

export const DEFAULT_SYS_NET_DIR = '/sys/class/net';
export const DEFAULT_WIREGUARD_RUN_DIR = '/var/run/wireguard';

export interface DetectOptions {
  /** @default DEFAULT_SYS_NET_DIR */
  readonly sysNetDir?: string;
  /** @default DEFAULT_WIREGUARD_RUN_DIR */
  readonly wireguardRunDir?: string;
  /** @default os.networkInterfaces */
  readonly interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

const readText = (path: string): Promise<string | undefined> => readFile(path, 'utf8').then(
  (text) => text,
  () => undefined,
);

/** Interface names with a UAPI socket; the folder is shared by every network namespace. */
async function uapiSockets(dir: string): Promise<ReadonlyMap<string, string>> {
  const names = await readdir(dir).catch((): string[] => []);
  return new Map(names.filter((n) => n.endsWith('.sock')).map((n) => [n.slice(0, -'.sock'.length), join(dir, n)]));
}

/**
 * Link facts of one interface. A UAPI socket counts only when the interface exists in this
 * namespace with the link type WireGuard has (none, 65534): another namespace may own the socket.
 */
async function linkFacts(name: string, sysNetDir: string, sockets: ReadonlyMap<string, string>): Promise<LinkFacts> {
  const typeText = await readText(join(sysNetDir, name, 'type'));
  const arpType = typeText === undefined ? undefined : Number.parseInt(typeText.trim(), 10);
  const uevent = (await readText(join(sysNetDir, name, 'uevent'))) ?? '';
  const kind = /^DEVTYPE=(.+)$/m.exec(uevent)?.[1]?.trim();
  const socket = sockets.get(name);
  const inThisNamespace = typeText !== undefined && arpType === ARPHRD_NONE;
  return {
    ...(kind === undefined ? {} : { kind }),
    ...(arpType === undefined || Number.isNaN(arpType) ? {} : { arpType }),
    ...(socket !== undefined && inThisNamespace ? { uapiSocket: socket } : {}),
  };
}

function prefixOf(info: NetworkInterfaceInfo): number {
  const suffix = info.cidr?.split('/')[1];
  if (suffix !== undefined) return Number(suffix);
  return info.family === 'IPv4' ? 32 : 128;
}

/** Every address of every interface of this network namespace, with its link facts. */
export async function detectAddresses(options: DetectOptions = {}): Promise<AddressCandidate[]> {
  const sysNetDir = options.sysNetDir ?? DEFAULT_SYS_NET_DIR;
  const sockets = await uapiSockets(options.wireguardRunDir ?? DEFAULT_WIREGUARD_RUN_DIR);
  const found = Object.entries((options.interfaces ?? networkInterfaces)());
  const perInterface = await Promise.all(
    found.map(async ([name, infos = []]) => {
      const link = await linkFacts(name, sysNetDir, sockets);
      return infos.map((info): AddressCandidate => ({
        interface: name,
        address: info.address,
        family: info.family,
        prefix: prefixOf(info),
        link,
      }));
    }),
  );
  return perInterface.flat();
}
