/** `cert ca`: the certificates of the data folder the server serves from. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RegistryError } from '../../domain/index.js';
import { globalFlags, loadSharedConfig } from '../connection.js';
import type { OptionBag } from '../flags.js';
import type { CliIo } from '../io.js';
import { localCaPath } from '../server-door.js';

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new RegistryError(
        'not_found',
        `no local CA at ${path}: the server creates it at its first start with this data folder (registry serve)`,
        { cause: error, details: { path } },
      );
    }
    throw error;
  }
}

export function addCertCommands(program: Command, io: CliIo): void {
  const cert = program.command('cert').description('certificates of the local CA');
  cert
    .command('ca')
    .description('print the CA certificate (PEM) clients trust: <data dir>/tls/ca.pem')
    .action(async (_options: OptionBag, command: Command) => {
      const config = await loadSharedConfig(globalFlags(command), io);
      io.stdout.write(await readCa(await localCaPath(config.server.dataDir)));
    });
}
