/** The `registry` command line: global options, the command groups, and one way out for errors. */
import { Command, CommanderError, Option } from 'commander';
import { addAdminCommands } from './commands/admin.js';
import { addCallCommand } from './commands/call.js';
import { addCertCommands } from './commands/cert.js';
import { addCompletionCommands } from './commands/completion.js';
import { addClusterCommands } from './commands/cluster.js';
import { addDashboardCommand } from './commands/dashboard.js';
import { addDeployCommands } from './commands/deploy.js';
import { addDiscoveryCommands } from './commands/discovery.js';
import { addHealthCommands } from './commands/health.js';
import { addIpCommands } from './commands/ip.js';
import { addLifecycleCommands } from './commands/lifecycle.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addPackageCommands } from './commands/package.js';
import { addServeCommand } from './commands/serve.js';
import { addServiceCommands } from './commands/services.js';
import { addTopologyCommands } from './commands/topology.js';
import { addTokenCommands } from './commands/token.js';
import { addTopCommand } from './commands/top.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { terminalSafeLines } from './terminal-text.js';
import { type OutputFormat, outputFormats, printError, requestedFormat } from './output.js';
import { packageVersion } from './version.js';

/** `errors`: the format usage errors are printed in; JSON and YAML are printed by runCli, not by commander. */
export function buildProgram(io: CliIo, onExit: (code: number) => void, errors: OutputFormat = 'table'): Command {
  const program = new Command('registry')
    .description('service registry for Plexus hubs and services, over TLS WebSockets')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Usage errors quote the argument they refuse, which may come from anywhere (`registry get "$name"`).
      writeErr: (text) => io.stderr.write(terminalSafeLines(text)),
      outputError: (text, write) => (errors === 'table' ? write(text) : undefined),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError(errors === 'table' ? '(run with --help for usage)' : false)
    .option('--url <url>', 'server URL (default wss://$REGISTRY_HOST:$REGISTRY_PORT, as the server binds)')
    .option('--ca <file>', 'CA certificate to trust (default <data dir>/tls/ca.pem when it exists)')
    .option('--fingerprint <sha256>', 'pin the server certificate by its SHA-256 fingerprint instead of a CA')
    .option('--token <token>', 'bearer token (env REGISTRY_TOKEN)')
    .option('--cert <file>', 'client certificate to present, PEM (env REGISTRY_CERT); the server reads your role from its OU')
    .option('--key <file>', "the client certificate's private key, PEM (env REGISTRY_KEY; default: the --cert file when it holds the key)")
    .addOption(new Option('-o, --output <format>', 'print answers and errors as json, yaml or a table (text)').choices(outputFormats))
    .option('--json', 'print JSON: the same as --output json')
    .option('--stale', "reads answer from what the server holds at once, without waiting for other servers' latest writes")
    .option('--config <file>', 'configuration file (env REGISTRY_CONFIG; default ~/.config/plexus/backends.toml)')
    .option('--data-dir <dir>', 'data folder (default: the folder of the configuration file)');
  addServeCommand(program, io, onExit);
  addMigrateCommand(program, io);
  addServiceCommands(program, io);
  addLifecycleCommands(program, io);
  addDiscoveryCommands(program, io);
  addHealthCommands(program, io);
  addTopologyCommands(program, io);
  addIpCommands(program, io);
  addPackageCommands(program, io);
  addDeployCommands(program, io);
  addAdminCommands(program, io);
  addCertCommands(program, io);
  addTokenCommands(program, io);
  addTopCommand(program, io);
  addCallCommand(program, io);
  addCompletionCommands(program, io);
  addClusterCommands(program, io);
  addDashboardCommand(program, io);
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const format = requestedFormat(argv);
  const program = buildProgram(
    io,
    (exit) => {
      code = exit;
    },
    format,
  );
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    // As text, commander has printed its own message (usage errors, --help, --version).
    const printed = error instanceof CommanderError && (format === 'table' || error.exitCode === 0);
    if (!printed) printError(io, format, error);
    return exitCodeFor(error);
  }
}
