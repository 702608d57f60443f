import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIp, type IpFamily, parseCidr } from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';

/** A temp folder with numbered SQLite files in it; `close()` removes it. */
export interface StoreFolder {
  readonly path: string;
  /** A path for a new database file. */
  fresh(): string;
  open(location: string): Promise<Store>;
  close(): Promise<void>;
}

/**
 * `tmpfs: true` puts the files on /dev/shm when the machine has it: still real SQLite files,
 * but a commit's fsync costs nothing there, so property tests with thousands of writes stay quick.
 */
export async function storeFolder(options: { readonly tmpfs?: boolean } = {}): Promise<StoreFolder> {
  const root = options.tmpfs === true && (await isFolder('/dev/shm')) ? '/dev/shm' : tmpdir();
  const path = await mkdtemp(join(root, 'registry-ipam-'));
  await chmod(path, 0o755);
  let counter = 0;
  return {
    path,
    fresh: () => join(path, `db-${String(++counter)}.sqlite`),
    open: (location) => openStore({ location }),
    close: () => rm(path, { recursive: true, force: true }),
  };
}

const isFolder = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The rules of README "IP allocation" restated independently of src/ipam, as the oracle of the property
 * tests: which offsets of a block may be handed out.
 */
export interface Oracle {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly size: bigint;
  readonly prefix: number;
  readonly gateway?: bigint;
  /** Inclusive offset ranges. */
  readonly reserved: readonly (readonly [bigint, bigint])[];
}

export function oracleFor(cidr: string, gateway: bigint | undefined, reserved: readonly (readonly [bigint, bigint])[]): Oracle {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) throw new Error(`bad test CIDR ${cidr}: ${parsed.reason}`);
  const { family, base, size, prefix } = parsed.cidr;
  return { family, base, size, prefix, reserved, ...(gateway === undefined ? {} : { gateway }) };
}

export function isUsableOffset(o: Oracle, offset: bigint): boolean {
  if (offset < 0n || offset >= o.size) return false;
  if (o.family === 4 && o.prefix <= 30 && (offset === 0n || offset === o.size - 1n)) return false;
  if (o.family === 6 && o.prefix <= 126 && offset === 0n) return false;
  if (offset === o.gateway) return false;
  return !o.reserved.some(([first, last]) => offset >= first && offset <= last);
}

/** How many offsets may be handed out: counted one by one for small blocks, by interval union otherwise. */
export function usableCount(o: Oracle): bigint {
  if (o.size <= 4096n) {
    let count = 0n;
    for (let offset = 0n; offset < o.size; offset++) if (isUsableOffset(o, offset)) count++;
    return count;
  }
  const excluded: [bigint, bigint][] = o.reserved.map(([a, b]) => [a, b]);
  if (o.gateway !== undefined) excluded.push([o.gateway, o.gateway]);
  if (o.family === 6 && o.prefix <= 126) excluded.push([0n, 0n]);
  if (o.family === 4 && o.prefix <= 30) excluded.push([0n, 0n], [o.size - 1n, o.size - 1n]);
  excluded.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  let covered = 0n;
  let end = -1n;
  for (const [first, last] of excluded) {
    const from = first > end ? first : end + 1n;
    if (last >= from) covered += last - from + 1n;
    if (last > end) end = last;
  }
  return o.size - covered;
}

export const textAt = (o: Oracle, offset: bigint): string => formatIp({ family: o.family, value: o.base + offset });
