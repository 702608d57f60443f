import { readFile } from 'node:fs/promises';
import { type DeploymentRecord, type NodeDefinition, RegistryError } from '../domain/index.js';
import { type HostKeyPolicy, hostKeyPolicy } from './host-key.js';

/** A configured node with what SSH needs present; keys are read when connecting. */
export interface Target {
  readonly name: string;
  readonly host: string;
  readonly sshUser: string;
  readonly sshPort: number;
  readonly installDir: string;
  readonly sshKey?: string;
  readonly hostKey?: string;
  readonly knownHosts?: string;
}

/** The node by name, or `not_found`; a node without host or ssh_user is a configuration problem. */
export function findTarget(nodes: readonly NodeDefinition[], name: string): Target {
  const node = nodes.find((n) => n.name === name);
  if (node === undefined) {
    throw new RegistryError('not_found', `node '${name}' is not configured (no [[node]] with that name)`, {
      details: { node: name, known: nodes.map((n) => n.name) },
    });
  }
  const { host, sshUser } = node;
  if (host === undefined || sshUser === undefined) {
    const field = host === undefined ? 'host' : 'ssh_user';
    throw new RegistryError('config_invalid', `node '${name}' has no ${field} in the configuration; it cannot be deployed to`, {
      details: { node: name, field },
    });
  }
  return { ...node, host, sshUser };
}

export interface Credentials {
  readonly privateKey: Buffer;
  readonly policy: HostKeyPolicy;
}

/** Reads the private key and builds the host key policy; both failures say which node and file. */
export async function loadCredentials(target: Target): Promise<Credentials> {
  const policy = await hostKeyPolicy(target);
  const path = target.sshKey;
  if (path === undefined) {
    throw new RegistryError('config_invalid', `node '${target.name}' has no ssh_key in the configuration`, { details: { node: target.name, field: 'ssh_key' } });
  }
  const privateKey = await readFile(path).catch((cause: unknown) => {
    throw new RegistryError('config_invalid', `node '${target.name}': cannot read ssh_key ${path}`, { cause, details: { node: target.name, path } });
  });
  return { privateKey, policy };
}

/**
 * The releases of a service on a node as the log tells them, oldest first: a deployment pushes
 * its version, a rollback goes back down to the version it restored. The last is current.
 */
export function releaseHistory(records: readonly DeploymentRecord[], node: string, service: string): string[] {
  const done = records
    .filter((r) => r.node === node && r.service === service && r.status === 'succeeded')
    .sort((a, b) => a.startedAt - b.startedAt);
  const stack: string[] = [];
  for (const record of done) {
    if (record.kind === 'deploy') {
      if (stack.at(-1) !== record.version) stack.push(record.version);
      continue;
    }
    while (stack.length > 0 && stack.at(-1) !== record.version) stack.pop();
    if (stack.length === 0) stack.push(record.version);
  }
  return stack;
}
