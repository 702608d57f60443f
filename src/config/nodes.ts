import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { hostSchema, type NodeDefinition, SERVICE_NAME_PATTERN } from '../domain/index.js';
import { DEFAULT_INSTALL_DIR, DEFAULT_SSH_PORT } from './types.js';

/** The `[[node]]` table as written: the hosts packages are deployed to over SSH (README "Deployment"). */

const HOST_KEY_PATTERN =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/]+={0,2}( [^\n]*)?$/;

const filePath = z.string().min(1).max(4096);

export const nodeTable = z
  .strictObject({
    name: z.string().regex(SERVICE_NAME_PATTERN, {
      error: "must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 128 characters)",
    }),
    host: hostSchema.optional(),
    ssh_user: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, { error: 'must be a user name (letters, digits, "_", "." or "-")' }).optional(),
    ssh_port: z.number().int().min(1).max(65_535).optional(),
    ssh_key: filePath.optional(),
    host_key: z.string().regex(HOST_KEY_PATTERN, { error: 'must be a public key line such as "ssh-ed25519 AAAA…"' }).optional(),
    known_hosts: filePath.optional(),
    install_dir: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*$/, { error: 'must be an absolute path of letters, digits, ".", "_", "-" and "/"' })
      .refine((dir) => !dir.split('/').includes('..'), { error: 'must not contain ".."' })
      .optional(),
  })
  .refine((node) => node.host_key === undefined || node.known_hosts === undefined, {
    error: 'give host_key or known_hosts, not both',
    path: ['known_hosts'],
  });

export type NodeTable = z.output<typeof nodeTable>;

/** Every `[[node]]`, with each name used once. */
export const nodeTables = z.array(nodeTable).superRefine((nodes, ctx) => {
  const first = new Map<string, number>();
  nodes.forEach((node, index) => {
    const seen = first.get(node.name);
    if (seen === undefined) first.set(node.name, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate node name "${node.name}" (first defined as node[${seen}])` });
  });
});

/** Defaults filled, file paths made absolute against the configuration file's folder. */
export function nodeDefinitions(tables: readonly NodeTable[] | undefined, baseDir: string): NodeDefinition[] {
  const path = (p: string | undefined): string | undefined => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(baseDir, p));
  return (tables ?? []).map((t) => {
    const sshKey = path(t.ssh_key);
    const knownHosts = path(t.known_hosts);
    return {
      name: t.name,
      ...(t.host === undefined ? {} : { host: t.host }),
      ...(t.ssh_user === undefined ? {} : { sshUser: t.ssh_user }),
      sshPort: t.ssh_port ?? DEFAULT_SSH_PORT,
      ...(sshKey === undefined ? {} : { sshKey }),
      ...(t.host_key === undefined ? {} : { hostKey: t.host_key }),
      ...(knownHosts === undefined ? {} : { knownHosts }),
      installDir: t.install_dir ?? DEFAULT_INSTALL_DIR,
    };
  });
}
