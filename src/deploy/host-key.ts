import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { RegistryError } from '../domain/index.js';

/** Host key verification: a pinned `ssh-ed25519 AAAA…` line, or the node's known_hosts file. */

export interface PublicKey {
  readonly type: string;
  readonly blob: Buffer;
}

/** What a node accepts: the keys, the algorithms to offer so the server shows one of them, and where they came from. */
export interface HostKeyPolicy {
  readonly keys: readonly PublicKey[];
  readonly revoked: readonly PublicKey[];
  readonly algorithms: readonly ServerHostKeyAlgorithm[];
  readonly source: string;
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export const fingerprint = (blob: Buffer): string => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

const algorithmsFor: Readonly<Record<string, readonly ServerHostKeyAlgorithm[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
};

/** The key type written inside an SSH public key blob (a length-prefixed string). */
function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : undefined;
}

/** `type base64 [comment]` → the key; undefined when the type is unknown or the blob says another type. */
export function parsePublicKey(type: string, base64: string): PublicKey | undefined {
  if (algorithmsFor[type] === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, 'base64');
  return blobType(blob) === type ? { type, blob } : undefined;
}

const sameKey = (a: PublicKey, blob: Buffer): boolean => a.blob.length === blob.length && timingSafeEqual(a.blob, blob);

export const acceptsKey = (policy: HostKeyPolicy, blob: Buffer): boolean =>
  policy.keys.some((key) => sameKey(key, blob)) && !policy.revoked.some((key) => sameKey(key, blob));

function algorithmsOf(keys: readonly PublicKey[]): ServerHostKeyAlgorithm[] {
  return [...new Set(keys.flatMap((key) => algorithmsFor[key.type] ?? []))];
}

/** The name known_hosts files the host under: `host`, or `[host]:port` off port 22. */
export const knownHostsName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

function globMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** True when a known_hosts host field (comma-separated patterns, `!` negations, hashed names) names `name`. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    if (globMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The keys a known_hosts text lists for `name`; `@revoked` lines go to `revoked`, `@cert-authority` lines are skipped. */
export function knownHostKeys(text: string, name: string): { keys: PublicKey[]; revoked: PublicKey[] } {
  const keys: PublicKey[] = [];
  const revoked: PublicKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [hosts, type, base64] = fields;
    if (hosts === undefined || type === undefined || base64 === undefined || marker === '@cert-authority') continue;
    const key = parsePublicKey(type, base64);
    if (key === undefined || !hostFieldMatches(hosts, name)) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

export interface HostKeySource {
  readonly name: string;
  readonly host: string;
  readonly sshPort: number;
  readonly hostKey?: string;
  readonly knownHosts?: string;
}

function noKey(node: HostKeySource, why: string): RegistryError {
  return new RegistryError('host_key_mismatch', `node '${node.name}': ${why}; refusing to connect to a host that cannot be verified`, {
    details: { node: node.name, host: node.host, port: node.sshPort },
  });
}

/** Builds the node's policy from its pinned key or its known_hosts file; refuses a node with neither. */
export async function hostKeyPolicy(node: HostKeySource): Promise<HostKeyPolicy> {
  if (node.hostKey !== undefined) {
    const [type = '', base64 = ''] = node.hostKey.trim().split(/\s+/);
    const key = parsePublicKey(type, base64);
    if (key === undefined) throw noKey(node, `host_key is not a valid ${type || 'SSH'} public key`);
    return { keys: [key], revoked: [], algorithms: algorithmsOf([key]), source: 'the pinned host_key' };
  }
  if (node.knownHosts === undefined) throw noKey(node, 'it has neither host_key nor known_hosts');
  const path = node.knownHosts;
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new RegistryError('host_key_mismatch', `node '${node.name}': cannot read known_hosts ${path}`, { cause, details: { node: node.name, path } });
  });
  const name = knownHostsName(node.host, node.sshPort);
  const { keys, revoked } = knownHostKeys(text, name);
  if (keys.length === 0) throw noKey(node, `known_hosts ${path} has no key for ${name}`);
  return { keys, revoked, algorithms: algorithmsOf(keys), source: `known_hosts ${path}` };
}

/** The refusal when the server showed another key: names every expected fingerprint and the offered one. */
export function hostKeyMismatch(node: HostKeySource, policy: HostKeyPolicy, offered: Buffer): RegistryError {
  const expected = policy.keys.map((key) => fingerprint(key.blob));
  const shown = fingerprint(offered);
  const revoked = policy.revoked.some((key) => sameKey(key, offered));
  const message = revoked
    ? `host key of node '${node.name}' (${node.host}:${node.sshPort}) is revoked in ${policy.source}: ${shown}`
    : `host key of node '${node.name}' (${node.host}:${node.sshPort}) does not match ${policy.source}: expected ${expected.join(' or ')}, offered ${shown}`;
  return new RegistryError('host_key_mismatch', message, { details: { node: node.name, expected, offered: shown } });
}
