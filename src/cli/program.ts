/** The `registry` command line: global options, the command groups, and one way out for errors. */
import { Command, CommanderError } from 'commander';
import { addAdminCommands } from './commands/admin.js';
import { addCertCommands } from './commands/cert.js';
import { addDeployCommands } from './commands/deploy.js';
import { addDiscoveryCommands } from './commands/discovery.js';
import { addHealthCommands } from './commands/health.js';
import { addIpCommands } from './commands/ip.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addPackageCommands } from './commands/package.js';
import { addServeCommand } from './commands/serve.js';
import { addServiceCommands } from './commands/services.js';
import { addTopologyCommands } from './commands/topology.js';
import { addTokenCommands } from './commands/token.js';
import { describeError, EXIT, exitCodeFor } from './exit-codes.js';
import { type CliIo, println } from './io.js';

export function buildProgram(io: CliIo, onExit: (code: number) => void): Command {
  const program = new Command('registry')
    .description('service registry for Plexus hubs and services, over TLS WebSockets')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .option('--url <url>', 'server URL (default wss://$REGISTRY_HOST:$REGISTRY_PORT, as the server binds)')
    .option('--ca <file>', 'CA certificate to trust (default <data dir>/tls/ca.pem when it exists)')
    .option('--fingerprint <sha256>', 'pin the server certificate by its SHA-256 fingerprint instead of a CA')
    .option('--token <token>', 'bearer token (env REGISTRY_TOKEN)')
    .option('--json', 'print JSON instead of text')
    .option('--config <file>', 'configuration file (env REGISTRY_CONFIG; default ~/.config/plexus/backends.toml)')
    .option('--data-dir <dir>', 'data folder (default: the folder of the configuration file)');
  addServeCommand(program, io, onExit);
  addMigrateCommand(program, io);
  addServiceCommands(program, io);
  addDiscoveryCommands(program, io);
  addHealthCommands(program, io);
  addTopologyCommands(program, io);
  addIpCommands(program, io);
  addPackageCommands(program, io);
  addDeployCommands(program, io);
  addAdminCommands(program, io);
  addCertCommands(program, io);
  addTokenCommands(program, io);
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (exit) => {
    code = exit;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    // Commander has printed its own message (usage errors, --help, --version).
    if (!(error instanceof CommanderError)) println(io.stderr, describeError(error));
    return exitCodeFor(error);
  }
}
