import { RegistryError } from '../domain/index.js';
import { CHECKSUM_FILE, isPackagePath } from './manifest.js';

/** The checksum list inside a package: `sha256sum` format, one `<hex>  <path>` line per file, sorted by path. */

export interface FileChecksum {
  readonly path: string;
  readonly sha256: string;
}

export function formatChecksums(files: readonly FileChecksum[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

const LINE = /^([0-9a-f]{64}) [ *](.+)$/;

function invalid(line: number, why: string): RegistryError {
  return new RegistryError('package_invalid', `${CHECKSUM_FILE} line ${line}: ${why}`, { details: { file: CHECKSUM_FILE, line } });
}

/** Path → sha256 (lowercase hex). A malformed line, an unsafe path or a path listed twice is refused. */
export function parseChecksums(text: string): ReadonlyMap<string, string> {
  const sums = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line === '') return;
    const match = LINE.exec(line);
    if (match === null) throw invalid(index + 1, 'must be "<64 hex digits>  <path>"');
    const [, hash = '', listed = ''] = match;
    const path = listed.startsWith('./') ? listed.slice(2) : listed;
    if (!isPackagePath(path)) throw invalid(index + 1, `"${listed}" is not a safe relative path`);
    if (sums.has(path)) throw invalid(index + 1, `"${path}" is listed twice`);
    sums.set(path, hash);
  });
  return sums;
}
