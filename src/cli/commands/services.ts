/** `list`, `get`, `register`, `update`, `delete`, `ping`: the Plexus backend commands. */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../client/index.js';
import { isActive, RegistryError, type Service } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import { booleanFlag, numberFlag, type OptionBag, portArgument, stringFlag, ttlArgument } from '../flags.js';
import { formatAge, formatFields, formatJson, formatTable, formatTime } from '../format.js';
import { type CliIo, println } from '../io.js';

const TABLE_HEADERS = ['NAME', 'HOST', 'PORT', 'PROTOCOL', 'SOURCE', 'ACTIVE', 'LAST SEEN'] as const;

export function serviceTable(services: readonly Service[], now: number): string {
  const rows = services.map((s) => [
    s.name,
    s.host,
    s.port,
    s.protocol,
    s.source,
    isActive(s, now) ? 'yes' : 'no',
    formatAge(s.lastSeen, now) ?? 'never',
  ]);
  return formatTable(TABLE_HEADERS, rows);
}

function serviceFields(s: Service, now: number): string {
  const lastSeen = s.lastSeen === undefined ? 'never' : `${formatTime(s.lastSeen)} (${formatAge(s.lastSeen, now)})`;
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
    ['active', isActive(s, now) ? 'yes' : 'no'],
    ['state', s.state],
    ['ttl', s.ttlSeconds === undefined ? 'none' : `${s.ttlSeconds}s`],
    ['last seen', lastSeen],
    ['registered', formatTime(s.registeredAt)],
    ['updated', formatTime(s.updatedAt)],
    ['tags', s.tags.length === 0 ? undefined : s.tags.join(', ')],
    ['metadata', Object.keys(s.metadata).length === 0 ? undefined : JSON.stringify(s.metadata)],
    ['revision', s.revision],
  ]);
}

/** Prints `value` as JSON with --json, else the human text. */
const output = (io: CliIo, json: boolean, value: unknown, human: () => string): void => {
  if (json) io.stdout.write(formatJson(value));
  else println(io.stdout, human());
};

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

const where = (s: Service): string => `${s.host}:${s.port} (${s.protocol})`;

function addList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('list backends: the active ones, or all with --all')
    .option('--all', 'include inactive backends')
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const activeOnly = booleanFlag(options, 'all') !== true;
      const services = await withClient(flags, io, (client) => client.listServices({ active_only: activeOnly }));
      output(io, flags.json, services, () => serviceTable(services, Date.now()));
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
      output(io, flags.json, service, () => serviceFields(service, Date.now()));
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
    output(io, flags.json, result, () => `${result.created ? 'registered' : 'updated'} ${name} at ${where(result.service)}`);
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
    output(io, flags.json, service, () => `updated ${name} at ${where(service)}`);
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
      output(io, flags.json, result, () => `deleted ${name}`);
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
      output(io, flags.json, result, () => `pinged ${name}: ${result.message}`);
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
