/**
 * The folder boundaries of docs/ARCHITECTURE.md, as eslint.config.js enforces them: each case is
 * a one-line file linted as if it lived at `path`. A boundary that stops failing fails here.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Case {
  readonly path: string;
  readonly code: string;
  /** The rule that must refuse it; undefined when the import is allowed. */
  readonly refusedBy?: 'no-restricted-imports' | 'no-restricted-syntax' | 'no-restricted-properties';
}

const refused: readonly Case[] = [
  { path: 'src/protocol/x.ts', code: "import { openStore } from '../store/index.js';\nexport const a = openStore;" },
  { path: 'src/protocol/x.ts', code: "import { openSqliteStore } from '../store/internal.js';\nexport const a = openSqliteStore;" },
  { path: 'src/protocol/x.ts', code: "import { resolveEndpoint } from '../topology/index.js';\nexport const a = resolveEndpoint;" },
  { path: 'src/server/x.ts', code: "import { placeCaller } from '../topology/index.js';\nexport const a = placeCaller;" },
  { path: 'src/server/x.ts', code: "import { networkCatalog } from '../ipam/index.js';\nexport const a = networkCatalog;" },
  { path: 'src/server/x.ts', code: "import { openSqliteStore } from '../store/sqlite/index.js';\nexport const a = openSqliteStore;" },
  { path: 'src/cli/commands/x.ts', code: "import { openStore } from '../../store/index.js';\nexport const a = openStore;" },
  { path: 'src/cli/commands/x.ts', code: "import { buildPackage } from '../../deploy/index.js';\nexport const a = buildPackage;" },
  { path: 'src/cli/commands/x.ts', code: "import { startServer } from '../../server/index.js';\nexport const a = startServer;" },
  { path: 'src/cli/x.ts', code: "import { operations } from '../operations/index.js';\nexport const a = operations;" },
  { path: 'src/cli/x.ts', code: "export const load = () => import('../store/index.js');", refusedBy: 'no-restricted-syntax' },
  { path: 'src/client/x.ts', code: "import { operations } from '../operations/index.js';\nexport const a = operations;" },
  { path: 'src/client/x.ts', code: "import type { RegistryServer } from '../server/index.js';\nexport type A = RegistryServer;" },
  { path: 'src/index.ts', code: "export { startServer } from './server/index.js';" },
  { path: 'src/operations/x.ts', code: "import { hubDialect } from '../protocol/index.js';\nexport const a = hubDialect;" },
  { path: 'src/dns/x.ts', code: "import { openStore } from '../store/index.js';\nexport const a = openStore;" },
  { path: 'src/dns/x.ts', code: "import { resolveEndpoint } from '../topology/index.js';\nexport const a = resolveEndpoint;" },
  { path: 'src/operations/x.ts', code: "import { parseName } from '../dns/index.js';\nexport const a = parseName;" },
  { path: 'src/topology/x.ts', code: "import { networkCatalog } from '../ipam/index.js';\nexport const a = networkCatalog;" },
  { path: 'src/store/sqlite/x.ts', code: "import { operations } from '../../operations/index.js';\nexport const a = operations;" },
  { path: 'src/domain/x.ts', code: "import { readFile } from 'node:fs/promises';\nexport const a = readFile;" },
  { path: 'src/metrics/x.ts', code: "import { openStore } from '../store/index.js';\nexport const a = openStore;" },
  { path: 'src/metrics/x.ts', code: "import { operations } from '../operations/index.js';\nexport const a = operations;" },
  { path: 'src/protocol/x.ts', code: "import { RegistryMetrics } from '../metrics/index.js';\nexport const a = RegistryMetrics;" },
  { path: 'src/operations/x.ts', code: "import { RegistryMetrics } from '../metrics/index.js';\nexport const a = RegistryMetrics;" },
  // The dashboard runs in a browser: no package, nothing of src/ but pure domain modules, no HTML from strings.
  { path: 'ui/src/x.ts', code: "import { z } from 'zod';\nexport const a = z;" },
  { path: 'ui/src/views/x.ts', code: "import { RegistryClient } from '../../../src/client/index.js';\nexport const a = RegistryClient;" },
  { path: 'ui/src/x.ts', code: "import { startServer } from '../../src/server/index.js';\nexport const a = startServer;" },
  { path: 'ui/src/x.ts', code: "export const show = (e: Element, text: string) => { e.innerHTML = text; };", refusedBy: 'no-restricted-properties' },
  { path: 'ui/src/x.ts', code: "export const show = (e: Element, text: string) => e.insertAdjacentHTML('beforeend', text);", refusedBy: 'no-restricted-properties' },
];

const allowed: readonly Case[] = [
  { path: 'src/protocol/x.ts', code: "import type { HostTopology } from '../topology/index.js';\nexport type A = HostTopology;" },
  { path: 'src/server/x.ts', code: "import { TopologyScanner } from '../topology/index.js';\nexport const a = TopologyScanner;" },
  { path: 'src/server/x.ts', code: "import { openStore } from '../store/index.js';\nexport const a = openStore;" },
  { path: 'src/cli/commands/x.ts', code: "import type { Logger } from '../../server/index.js';\nexport type A = Logger;" },
  { path: 'src/cli/commands/x.ts', code: "import { RegistryClient } from '../../client/index.js';\nexport const a = RegistryClient;" },
  { path: 'src/client/x.ts', code: "import type { OperationName } from '../operations/index.js';\nexport type A = OperationName;" },
  { path: 'src/operations/x.ts', code: "import { resolveEndpoint } from '../topology/index.js';\nexport const a = resolveEndpoint;" },
  { path: 'src/server/x.ts', code: "import { DnsListener } from '../dns/index.js';\nexport const a = DnsListener;" },
  { path: 'src/dns/x.ts', code: "import type { ResolvedEndpoint } from '../topology/index.js';\nexport type A = ResolvedEndpoint;" },
  { path: 'src/server/x.ts', code: "import { RegistryMetrics } from '../metrics/index.js';\nexport const a = RegistryMetrics;" },
  { path: 'src/metrics/x.ts', code: "import { RegistryError } from '../domain/index.js';\nexport const a = RegistryError;" },
  { path: 'ui/src/x.ts', code: "import { parseIp } from '../../src/domain/ip.js';\nexport const a = parseIp;" },
  { path: 'ui/src/views/x.ts', code: "import type { OutputFor } from '../../../src/client/index.js';\nexport type A = OutputFor<'status'>;" },
];

describe('folder boundaries (eslint.config.js)', () => {
  let eslint: ESLint;
  const rulesHit = async ({ path, code }: Case): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
    return [...new Set((result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message))];
  };

  before(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  it('refuses every import against the direction of the layers', async () => {
    for (const example of refused) {
      assert.deepEqual(await rulesHit(example), [example.refusedBy ?? 'no-restricted-imports'], `${example.path}: ${example.code}`);
    }
  });

  it('lets the imports the layers allow through', async () => {
    for (const example of allowed) assert.deepEqual(await rulesHit(example), [], `${example.path}: ${example.code}`);
  });
});
