import { z } from 'zod';
import { nodeListWire, type NodeWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';

/** The `[[node]]`s of the configuration in force: where and how each is reached; no key material. */
export const listNodes = defineOperation({
  name: 'list_nodes',
  role: 'read',
  kind: 'read',
  summary: 'list the configured nodes',
  input: z.strictObject({ consistency: readConsistency }),
  output: nodeListWire,
  async handle(_input, ctx): Promise<readonly NodeWire[]> {
    const nodes = ctx.runtime.nodes?.() ?? [];
    return nodes.map((n) => ({
      name: n.name,
      ...(n.host === undefined ? {} : { host: n.host }),
      ...(n.sshUser === undefined ? {} : { ssh_user: n.sshUser }),
      ssh_port: n.sshPort,
      install_dir: n.installDir,
      host_key: n.hostKey !== undefined ? 'host_key' : n.knownHosts !== undefined ? `known_hosts ${n.knownHosts}` : 'none',
      deployable: n.host !== undefined && n.sshUser !== undefined && n.sshKey !== undefined && (n.hostKey ?? n.knownHosts) !== undefined,
    }));
  },
});
