/**
 * better-sqlite3 loads its compiled part on the first `new Database`. npm 11 runs a dependency's
 * install script (which fetches or compiles that part) only once the installing project approves
 * it, so a missing part is an install step left out: say which one, not "bindings file".
 */
import Database from 'better-sqlite3';
import { RegistryError } from '../../domain/index.js';
import { reasonOf } from './errno.js';

const MISSING = /Could not locate the bindings file/;
const OTHER_NODE = /NODE_MODULE_VERSION|was compiled against a different Node\.js version/;

/** A RegistryError saying how to build the driver, when `error` is its compiled part missing or built for another Node. */
export function driverProblem(error: unknown): RegistryError | undefined {
  const reason = reasonOf(error);
  if (MISSING.test(reason)) {
    return new RegistryError(
      'unavailable',
      'the SQLite driver better-sqlite3 is not built: its install script did not run (npm runs dependency install scripts only once they are approved). ' +
        'In the folder it was installed into, run: npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3 ' +
        '(a global install: npm install -g --allow-scripts=better-sqlite3 service-registry). See README, "Install".',
      { cause: error },
    );
  }
  if (OTHER_NODE.test(reason)) {
    return new RegistryError('unavailable', `the SQLite driver better-sqlite3 was built for another Node.js version; run npm rebuild better-sqlite3 (${reason.split('\n')[0] ?? ''})`, { cause: error });
  }
  return undefined;
}

/** `new Database(...)`, with a missing or mismatched driver reported as what it is. */
export function openSqliteFile(source: string | Buffer, options: Database.Options): Database.Database {
  try {
    return new Database(source, options);
  } catch (error) {
    throw driverProblem(error) ?? error;
  }
}
