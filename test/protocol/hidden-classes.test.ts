import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { it } from 'node:test';

const probe = fileURLToPath(new URL('../helpers/hidden-class-probe.ts', import.meta.url));

/**
 * The records every request and event builds share one hidden class per kind (docs/ARCHITECTURE.md,
 * "Hot paths"): a literal that starts with a spread and then adds keys gets a map of its own on
 * Node 20, which made get_service 3× dearer. Asked of V8 itself, so no timing is involved.
 */
it('the hot paths build their records with one hidden class per kind', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', probe], { timeout: 60_000 });
  const kinds = JSON.parse(stdout) as Record<string, boolean>;
  assert.deepEqual(Object.keys(kinds), ['registered service', 're-registered service', 'committed event', 'service on the wire', 'Plexus backend']);
  const detached = Object.entries(kinds).filter(([, shared]) => !shared).map(([kind]) => kind);
  assert.deepEqual(detached, [], `a map per object for: ${detached.join(', ')}`);
});
