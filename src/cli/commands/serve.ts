/** `serve`: load the configuration, start the server, stop it gracefully on SIGINT/SIGTERM. */
import { Option, type Command } from 'commander';
import { type ConfigOverrides, loadConfig, type LogLevel, logLevels } from '../../config/index.js';
import type { Logger, RegistryServer } from '../../server/index.js';
import { EXIT } from '../exit-codes.js';
import { booleanFlag, integerIn, type OptionBag, stringFlag, numberFlag } from '../flags.js';
import type { CliIo } from '../io.js';
import { loadServerModule } from '../server-door.js';

const logLevel = (value: string | undefined): LogLevel | undefined => logLevels.find((level) => level === value);

/** The serve flags as config overrides: a flag not given stays undefined, so env and file decide. */
export function serveOverrides(options: OptionBag, command: Command): ConfigOverrides {
  const bag: OptionBag = command.optsWithGlobals();
  return {
    host: stringFlag(options, 'host'),
    port: numberFlag(options, 'port'),
    configPath: stringFlag(bag, 'config'),
    dataDir: stringFlag(bag, 'dataDir'),
    dbPath: stringFlag(options, 'dbPath'),
    storeUrl: stringFlag(options, 'store'),
    tlsCert: stringFlag(options, 'tlsCert'),
    tlsKey: stringFlag(options, 'tlsKey'),
    insecureLoopback: booleanFlag(options, 'insecureLoopback'),
    logLevel: logLevel(stringFlag(options, 'logLevel')),
    // Both --auto-register and --no-auto-register are defined, so commander leaves it undefined when absent.
    autoRegister: booleanFlag(options, 'autoRegister'),
  };
}

/**
 * A signal that comes again this soon after the first is the same request delivered twice: a
 * Ctrl-C under `npm start` reaches the server from the terminal and again from npm, which
 * forwards it. Only a later one means "stop at once".
 */
export const DEFAULT_SIGNAL_REPEAT_MS = 1_000;

/** Resolves with the first signal; a second one while stopping (not a duplicate of the first) resolves `second`. */
function signals(io: CliIo): { readonly first: Promise<string>; readonly second: Promise<string>; readonly dispose: () => void } {
  let firstAt: number | undefined;
  let onFirst: (signal: string) => void = () => undefined;
  let onSecond: (signal: string) => void = () => undefined;
  const first = new Promise<string>((resolve) => (onFirst = resolve));
  const second = new Promise<string>((resolve) => (onSecond = resolve));
  const dispose = io.onShutdownSignal((signal) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      onFirst(signal);
    } else if (now - firstAt >= DEFAULT_SIGNAL_REPEAT_MS) {
      onSecond(signal);
    }
  });
  return { first, second, dispose };
}

async function runUntilStopped(server: RegistryServer, logger: Logger, io: CliIo): Promise<number> {
  const stop = signals(io);
  try {
    const event = await Promise.race([
      stop.first.then((signal) => ({ type: 'signal', signal }) as const),
      server.closed.then((reason) => ({ type: 'closed', reason }) as const),
    ]);
    if (event.type === 'closed') {
      if (event.reason instanceof Error) throw event.reason;
      return EXIT.ok;
    }
    logger.info({ signal: event.signal }, 'stopping (send it again to stop at once)');
    const forced = await Promise.race([server.close().then(() => false), stop.second.then(() => true)]);
    return forced ? EXIT.interrupted : EXIT.ok;
  } finally {
    stop.dispose();
  }
}

async function serve(options: OptionBag, command: Command, io: CliIo): Promise<number> {
  const flags = serveOverrides(options, command);
  const load = () => loadConfig({ flags, env: io.env, cwd: io.cwd });
  const config = await load();
  const { certificateFingerprint, createLogger, startServer } = await loadServerModule();
  const logger = createLogger({ level: config.server.logLevel, pretty: io.stdout.isTTY === true });
  const server = await startServer({ config, reloadConfig: load, logger });
  const fingerprint = server.certPem === undefined ? undefined : certificateFingerprint(server.certPem);
  logger.info({ url: server.url, fingerprint }, `listening on ${server.url}`);
  const code = await runUntilStopped(server, logger, io);
  logger.flush();
  return code;
}

/** `onExit` receives the exit code once the server has stopped. */
export function addServeCommand(program: Command, io: CliIo, onExit: (code: number) => void): void {
  program
    .command('serve')
    .description('run the registry server')
    .option('--host <address>', 'address to bind (env REGISTRY_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to bind, 0 for any (env REGISTRY_PORT; default 4445)', integerIn(0, 65_535))
    .option('--db-path <file>', 'SQLite database file (env REGISTRY_DB_PATH; default <data dir>/registry.db)')
    .option('--store <location>', 'a SQLite path or a postgres:// URL')
    .option('--tls-cert <file>', 'server certificate (PEM) instead of the local CA’s')
    .option('--tls-key <file>', 'key of --tls-cert (PEM)')
    .option('--insecure-loopback', 'serve plaintext ws:// (only while bound to loopback)')
    .addOption(new Option('--log-level <level>', 'log level (env REGISTRY_LOG)').choices(logLevels))
    .option('--auto-register', 'register the local Plexus instance (the default)')
    .option('--no-auto-register', 'do not register the local Plexus instance')
    .action(async (options: OptionBag, command: Command) => {
      onExit(await serve(options, command, io));
    });
}
