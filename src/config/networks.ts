import { z } from 'zod';
import { compileNetworks, ipNetworkKinds } from '../ipam/index.js';

/**
 * The `[[network]]` table as written: the overlay and LAN networks addresses are allocated in
 * (README "IP allocation"). Each is checked by src/ipam's arithmetic: the CIDR has no host bits set, the
 * gateway and reserved addresses lie inside it, and no two networks overlap (naming both).
 * This is the one place the tables are parsed: the configuration holds them compiled (blocks and
 * addresses as numbers), and allocation and topology take them from there as they are.
 */

export const NETWORK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const networkTable = z.strictObject({
  name: z.string().regex(NETWORK_NAME_PATTERN, {
    error: "must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 63 characters)",
  }),
  kind: z.enum(ipNetworkKinds),
  cidr: z.string().min(1),
  gateway: z.string().min(1).optional(),
  reserved: z.array(z.string().min(1)).max(1024).optional(),
});

/** Every `[[network]]`, compiled once: each one valid on its own, names unique, blocks disjoint. */
export const networkTables = z.array(networkTable).transform((tables, ctx) => {
  const { networks, issues } = compileNetworks(tables);
  for (const issue of issues) {
    const path = issue.field.startsWith('reserved[')
      ? [issue.index, 'reserved', Number(issue.field.slice('reserved['.length, -1))]
      : [issue.index, issue.field];
    ctx.addIssue({ code: 'custom', path, message: issue.message });
  }
  return networks;
});
