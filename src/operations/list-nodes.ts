import { z } from 'zod';
import { defineOperation } from './define.js';

/** A node as list_nodes shows it: where and how it is reached; no key material. */
export interface NodeOutput {
  readonly name: string;
  readonly host?: string;
  readonly sshUser?: string;
  readonly sshPort: number;
  readonly installDir: string;
  /** How the host key is verified: `host_key` (pinned), `known_hosts <path>`, or `none`. */
  readonly hostKey: string;
  /** False when host, ssh_user, ssh_key or a host key is missing. */
  readonly deployable: boolean;
}

/** The `[[node]]`s of the configuration in force. */
export const listNodes = defineOperation({
  name: 'list_nodes',
  role: 'read',
  summary: 'list the configured nodes',
  input: z.strictObject({}),
  async handle(_input, ctx): Promise<readonly NodeOutput[]> {
    const nodes = ctx.runtime.nodes?.() ?? [];
    return nodes.map((n) => ({
      name: n.name,
      ...(n.host === undefined ? {} : { host: n.host }),
      ...(n.sshUser === undefined ? {} : { sshUser: n.sshUser }),
      sshPort: n.sshPort,
      installDir: n.installDir,
      hostKey: n.hostKey !== undefined ? 'host_key' : n.knownHosts !== undefined ? `known_hosts ${n.knownHosts}` : 'none',
      deployable: n.host !== undefined && n.sshUser !== undefined && n.sshKey !== undefined && (n.hostKey ?? n.knownHosts) !== undefined,
    }));
  },
});
