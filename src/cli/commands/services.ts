/** `list`, `get`, `register`, `update`, `delete`, `ping`: the Plexus backend commands. */
import type { Command } from 'commander';
import { DEFAULT_LIST_PAGE_SIZE, InvalidArgumentError } from '../../client/index.js';
import { RegistryError, type ServiceWire } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import { booleanFlag, integerIn, numberFlag, type OptionBag, portArgument, stringFlag, ttlArgument } from '../flags.js';
import { formatAge, formatFields, formatTable, formatTime } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { terminalSafe } from '../terminal-text.js';
import { addressNetworks, repeatable, serviceEntryFlags } from '../service-flags.js';

const TABLE_HEADERS = ['NAME', 'HOST', 'PORT', 'PROTOCOL', 'SOURCE', 'ACTIVE', 'LAST SEEN'] as const;

/** Wire times are Unix seconds; the text shows them as people read them. */
const ms = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : seconds * 1000);

export function serviceTable(services: readonly ServiceWire[], now: number): string {
  const rows = services.map((s) => [s.name, s.host, s.port, s.protocol, s.source, s.is_active ? 'yes' : 'no', formatAge(ms(s.last_seen), now) ?? 'never']);
  return formatTable(TABLE_HEADERS, rows);
}

/**
 * A plain first line for a service discovery does not hand out, with the reason the server gives
 * (its TTL ran out, or a check is critical) and what brings it back. Undefined while it is active.
 */
export function inactiveNote(s: ServiceWire): string | undefined {
  if (s.is_active) return undefined;
  // Not active and no critical check: its TTL ran out (the server's clock decided, not ours).
  const checkCritical = (s.checks ?? []).some((check) => check.status === 'critical');
  const why = terminalSafe(s.health?.message ?? (checkCritical ? 'a health check is critical' : 'its TTL ran out'));
  const until = checkCritical ? 'while a check is critical' : `until it pings again (registry ping ${terminalSafe(s.name)})`;
  return `${terminalSafe(s.name)} is INACTIVE: ${why}; discovery (list, resolve, env, DNS) does not hand it out ${until}`;
}

function serviceFields(s: ServiceWire, now: number): string {
  const note = inactiveNote(s);
  const lastSeen = s.last_seen === undefined ? 'never' : `${formatTime(ms(s.last_seen))} (${formatAge(ms(s.last_seen), now)})`;
  const fields = formatFields([
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
    ['addresses', addressPairs(s) || undefined],
    ['endpoints', endpointPairs(s) || undefined],
    ['tags', s.tags.length === 0 ? undefined : s.tags.join(', ')],
    ['metadata', Object.keys(s.metadata).length === 0 ? undefined : JSON.stringify(s.metadata)],
    ['revision', s.revision],
  ]);
  return note === undefined ? fields : `${note}\n\n${fields}`;
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
    .option('--ttl <seconds>', 'seconds without a ping before it counts as inactive, 1-86400 (register: default 90)', ttlArgument);

const where = (s: ServiceWire): string => `${s.host}:${s.port} (${s.protocol})`;

/** `lan=10.0.0.5 wireguard=10.100.0.2`; empty when it has none. */
export const addressPairs = (s: ServiceWire): string =>
  Object.entries(s.addresses)
    .flatMap(([network, address]) => (address === undefined ? [] : [`${network}=${address}`]))
    .join(' ');

/** `http:8080/http metrics:9100/http`; empty when it has none. */
export const endpointPairs = (s: ServiceWire): string => s.endpoints.map((e) => `${e.name}:${e.port}/${e.protocol}`).join(' ');

/** `; addresses lan=10.0.0.5 wireguard=10.100.0.2`, when it has any. */
const addressList = (s: ServiceWire): string => (addressPairs(s) === '' ? '' : `; addresses ${addressPairs(s)}`);

function addList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('list backends: the active ones, or all with --all')
    .option('--all', 'include inactive backends')
    .option('--page-size <n>', `services per request; every page is read and printed (default ${DEFAULT_LIST_PAGE_SIZE})`, integerIn(1, Number.MAX_SAFE_INTEGER))
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const activeOnly = booleanFlag(options, 'all') !== true;
      const pageSize = numberFlag(options, 'pageSize');
      const services = await withClient(flags, io, (client) => client.listServices({ active_only: activeOnly }, pageSize === undefined ? {} : { pageSize }));
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
      .description('register a service; a known name is REPLACED by this definition: every option left out takes its default (update changes some fields only)')
      .argument('<name>', 'service name')
      .argument('[host]', 'host name or address (may be left out when --endpoint or --allocate say where)')
      .argument('[port]', 'port, 1-65535 (may be left out when an --endpoint gives it)', portArgument),
  )
    .option('--tag <tag>', 'a tag (repeatable)', repeatable)
    .option('--meta <key=value>', 'a metadata entry (repeatable)', repeatable)
    .option('--endpoint <name=proto://port>', 'a named endpoint, such as http=http://8080 (repeatable; the first is the primary one)', repeatable)
    .option('--address <network=ip>', `its address on a network: ${addressNetworks.join(', ')} (repeatable)`, repeatable)
    .option('--allocate <network>', 'take an address in this [[network]] for it, in the same write (repeatable)', repeatable)
    .action(async (name: string, host: string | undefined, port: number | undefined, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const given = { host, port, ...backendFields(options) };
      const fields = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
      const input = { name, ...fields, ...serviceEntryFlags(options) };
      const result = await withClient(flags, io, (client) => client.call('register_service', input));
      printAnswer(io, flags.output, result, () => `${result.created ? 'registered' : 'replaced'} ${name} at ${where(result.service)}${addressList(result.service)}`);
    });
}

function addUpdate(program: Command, io: CliIo): void {
  withBackendOptions(
    program
      .command('update')
      .description('change fields of a registered backend')
      .argument('<name>', 'backend name')
      .option('--host <host>', 'host name or address')
      .option('--port <port>', 'port, 1-65535', portArgument),
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
