/** `resolve`, `endpoints`, `env`, `topology`: topology-aware discovery (README "Topology and resolution"), answered for where the CLI runs. */
import type { Command } from 'commander';
import type { OutputFor } from '../../client/index.js';
import { RegistryError } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatFields, formatTable, formatTime } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { shellAssignment } from '../shell-quote.js';
import { terminalSafe } from '../terminal-text.js';

type ResolvedEndpoint = OutputFor<'resolve'>;

const where = (r: ResolvedEndpoint): string => (r.address.includes(':') ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`);

export function endpointTable(list: readonly ResolvedEndpoint[]): string {
  const rows = list.map((r) => [r.service, r.endpoint, where(r), r.protocol, r.network, r.reason]);
  return formatTable(['SERVICE', 'ENDPOINT', 'ADDRESS', 'PROTOCOL', 'NETWORK', 'REASON'], rows);
}

/**
 * The server refuses to resolve a service discovery does not hand out (`unavailable`, naming the
 * service): as text, that says plainly it is inactive and why. JSON and YAML keep the wire error.
 */
function plainlyInactive(error: unknown, name: string): unknown {
  if (!(error instanceof RegistryError) || error.code !== 'unavailable' || error.details.service !== name) return error;
  const reason = typeof error.details.reason === 'string' ? error.details.reason : 'it is not healthy';
  return new RegistryError('unavailable', `${name} is INACTIVE: ${terminalSafe(reason)}; discovery hands out no address for it (registry get ${name} shows its health)`, {
    cause: error,
    details: error.details,
  });
}

function addResolve(program: Command, io: CliIo): void {
  program
    .command('resolve')
    .description('the address of a service this machine can reach: loopback, LAN, WireGuard or public')
    .argument('<name>', 'service name')
    .option('--endpoint <name>', 'endpoint name (default: the first one)')
    .action(async (name: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const endpoint = stringFlag(options, 'endpoint');
      const r = await withClient(flags, io, (client) => client.resolve({ service: name, ...(endpoint === undefined ? {} : { endpoint }) })).catch((error: unknown) => {
        throw flags.output === 'table' ? plainlyInactive(error, name) : error;
      });
      printAnswer(io, flags.output, r, () =>
        formatFields([
          ['address', where(r)],
          ['network', r.network],
          ['endpoint', r.endpoint],
          ['protocol', r.protocol],
          ['reason', r.reason],
        ]),
      );
    });
}

function addEndpoints(program: Command, io: CliIo): void {
  program
    .command('endpoints')
    .description('every endpoint of a service (or of all services), resolved for this machine')
    .argument('[name]', 'service name (default: every service)')
    .action(async (name: string | undefined, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const list = await withClient(flags, io, (client) => client.listEndpoints(name === undefined ? {} : { service: name }));
      printAnswer(io, flags.output, list, () => endpointTable(list));
    });
}

function addEnv(program: Command, io: CliIo): void {
  program
    .command('env')
    .description("NAME_ADDR='host:port' lines for a shell (eval \"$(registry env api db)\"); default every active service")
    .argument('[names...]', 'service names')
    .action(async (names: string[], _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const result = await withClient(flags, io, (client) => client.env(names.length === 0 ? {} : { services: names }));
      // Every value is quoted for the shell that evals it; the JSON keeps the lines as the server sent them.
      printAnswer(io, flags.output, result, () => result.lines.map(shellAssignment).join('\n'));
    });
}

function addTopology(program: Command, io: CliIo): void {
  program
    .command('topology')
    .description("the server host's addresses as classified: local, lan, wireguard or public, and why")
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const topology = await withClient(flags, io, (client) => client.getTopology());
      printAnswer(io, flags.output, topology, () => {
        const head = formatFields([
          ['host id', topology.host_id],
          ['scanned', formatTime(topology.scanned_at * 1000)],
        ]);
        const rows = topology.addresses.map((a) => [a.interface, a.address, a.cidr, a.network, a.reason]);
        const table = formatTable(['INTERFACE', 'ADDRESS', 'NETWORK CIDR', 'KIND', 'REASON'], rows);
        const networks = topology.networks.map((n) => `configured ${n.kind} network ${n.name}: ${n.cidr}`);
        return [head, '', table, ...(networks.length > 0 ? ['', ...networks] : [])].join('\n');
      });
    });
}

export function addTopologyCommands(program: Command, io: CliIo): void {
  addResolve(program, io);
  addEndpoints(program, io);
  addEnv(program, io);
  addTopology(program, io);
}
