import { z } from 'zod';
import { parseCidr } from './ip.js';
import type { ConfiguredNetwork } from './types.js';

const networkTable = z.looseObject({
  name: z.string().optional(),
  kind: z.enum(['lan', 'wireguard']),
  cidr: z.string(),
});

/**
 * The `[[network]]` tables of the configuration that topology uses: those with `kind = "lan"`
 * or `"wireguard"` and a valid `cidr`. The configuration module validates the tables; entries
 * this module cannot use are left out rather than refused.
 */
export function configuredNetworks(tables: readonly unknown[]): ConfiguredNetwork[] {
  return tables.flatMap((table): ConfiguredNetwork[] => {
    const parsed = networkTable.safeParse(table);
    if (!parsed.success) return [];
    const cidr = parseCidr(parsed.data.cidr);
    if (cidr === undefined) return [];
    return [{ name: parsed.data.name ?? cidr.text, kind: parsed.data.kind, cidr: cidr.text }];
  });
}
