/** `list`, `get`, `register`, `update`, `delete`, `ping`: the Plexus backend commands. */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../client/index.js';
import { RegistryError, type ServiceWire } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import { booleanFlag, numberFlag, type OptionBag, portArgument, stringFlag, ttlArgument } from '../flags.js';
import { formatAge, formatFields, formatTable, formatTime } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

const TABLE_HEADERS = ['NAME', 'HOST', 'PORT', 'PROTOCOL', 'SOURCE', 'ACTIVE', 'LAST SEEN'] as const;

/** Wire times are Unix seconds; the text shows them as people read them. */
const ms = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : seconds * 1000);

export function serviceTable(services: readonly ServiceWire[], now: number): string {
  const rows = services.map((s) => [s.name, s.host, s.port, s.protocol, s.source, s.is_active ? 'yes' : 'no', formatAge(ms(s.last_seen), now) ?? 'never']);
  return formatTable(TABLE_HEADERS, rows);
}

function serviceFields(s: ServiceWire, now: number): string {
  const lastSeen = s.last_seen === undefined ? 'never' : `${formatTime(ms(s.last_seen))} (${formatAge(ms(s.last_seen), now)})`;
  return formatFields([
    ['name', s.name],
    ['id', s.id],
    ['host', s.host],
    ['port', s.port],
    ['protocol', s.protocol],
    ['namespace', s.namespace],
    ['description', s.description],
    ['version', s.version],
    ['source', s.source],
    ['active', s.is_active ? 'yes' : 'no'],
    ['state', s.state],
    ['ttl', s.ttl_seconds === undefined ? 'none' : `${s.ttl_seconds}s`],
    ['last seen', lastSeen],
    ['registered', formatTime(ms(s.registered_at))],
    ['updated', formatTime(ms(s.updated_at))],
    ['tags', s.tags.length === 0 ? undefined : s.tags.join(', ')],
    ['metadata', Object.keys(s.metadata).length === 0 ? undefined : JSON.stringify(s.metadata)],
    ['revision', s.revision],
  ]);
}

/** The optional backend fields `register` and `update` share. */
function backendFields(options: OptionBag) {
  return {
    protocol: stringFlag(options, 'protocol'),
    description: stringFlag(options, 'description'),
    namespace: stringFlag(options, 'namespace'),
    ttl: numberFlag(options, 'ttl'),
  };
}

const withBackendOptions = (command: Command): Command =>
  command
    .option('--protocol <scheme>', 'protocol clients use to reach it (ws, wss, …)')
    .option('--description <text>', 'free text')
    .option('--namespace <name>', 'namespace')
    .option('--ttl <seconds>', 'seconds without a ping before it counts as inactive', ttlArgument);

const where = (s: ServiceWire): string => `${s.host}:${s.port} (${s.protocol})`;

function addList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('list backends: the active ones, or all with --all')
    .option('--all', 'include inactive backends')
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const activeOnly = booleanFlag(options, 'all') !== true;
      const services = await withClient(flags, io, (client) => client.listServices({ active_only: activeOnly }));
      printAnswer(io, flags.output, services, () => serviceTable(services, Date.now()));
    });
}

function addGet(program: Command, io: CliIo): void {
  program
    .command('get')
    .description('show one backend')
    .argument('<name>', 'backend name')
    .action(async (name: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const service = await withClient(flags, io, (client) => client.getService({ name }));
      printAnswer(io, flags.output, service, () => serviceFields(service, Date.now()));
    });
}

function addRegister(program: Command, io: CliIo): void {
  withBackendOptions(
    program
      .command('register')
      .description('register a backend; a known name gets this whole definition (left-out options take their defaults)')
      .argument('<name>', 'backend name')
      .argument('<host>', 'host name or address')
      .argument('<port>', 'port', portArgument),
  ).action(async (name: string, host: string, port: number, options: OptionBag, command: Command) => {
    const flags = globalFlags(command);
    const input = { name, host, port, ...backendFields(options) };
    const result = await withClient(flags, io, (client) => client.register(input));
    printAnswer(io, flags.output, result, () => `${result.created ? 'registered' : 'updated'} ${name} at ${where(result.service)}`);
  });
}

function addUpdate(program: Command, io: CliIo): void {
  withBackendOptions(
    program
      .command('update')
      .description('change fields of a registered backend')
      .argument('<name>', 'backend name')
      .option('--host <host>', 'host name or address')
      .option('--port <port>', 'port', portArgument),
  ).action(async (name: string, options: OptionBag, command: Command) => {
    const flags = globalFlags(command);
    const fields = { host: stringFlag(options, 'host'), port: numberFlag(options, 'port'), ...backendFields(options) };
    if (Object.values(fields).every((value) => value === undefined)) {
      throw new InvalidArgumentError('nothing to update: give at least one of --host, --port, --protocol, --description, --namespace, --ttl');
    }
    const service = await withClient(flags, io, (client) => client.update({ name, ...fields }));
    printAnswer(io, flags.output, service, () => `updated ${name} at ${where(service)}`);
  });
}

function addDelete(program: Command, io: CliIo): void {
  program
    .command('delete')
    .description('remove a backend')
    .argument('<name>', 'backend name')
    .action(async (name: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const result = await withClient(flags, io, (client) => client.deregister({ name }));
      printAnswer(io, flags.output, result, () => `deleted ${name}`);
    });
}

function addPing(program: Command, io: CliIo): void {
  program
    .command('ping')
    .description("record a sign of life for a backend (moves its 'last seen')")
    .argument('<name>', 'backend name')
    .action(async (name: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const result = await withClient(flags, io, (client) => client.ping({ name }));
      // The operation answers success:false for an unknown name (Plexus); a script wants exit 3.
      if (!result.success) throw new RegistryError('not_found', result.message, { details: { name } });
      printAnswer(io, flags.output, result, () => `pinged ${name}: ${result.message}`);
    });
}

export function addServiceCommands(program: Command, io: CliIo): void {
  addList(program, io);
  addGet(program, io);
  addRegister(program, io);
  addUpdate(program, io);
  addDelete(program, io);
  addPing(program, io);
}
