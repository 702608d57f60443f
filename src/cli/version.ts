/**
 * The package's version, from its package.json: two folders up from this file both in the
 * sources (src/cli) and in the build (dist/cli). Read on demand, with nothing else loaded, so
 * `registry --version` answers before the CLI's modules are.
 */
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined;
  if (typeof version !== 'string') throw new Error(`${PACKAGE_JSON.pathname} has no version`);
  return version;
}

/** `registry --version` (or `-V`) and nothing else: answered without loading the CLI. */
export const asksOnlyVersion = (argv: readonly string[]): boolean => argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
