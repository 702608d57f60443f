/** `networks` and `ip allocate|release|list`: IP allocation in the configured networks. */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../client/index.js';
import { globalFlags, withClient } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatTable, formatTime } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

const when = (seconds: number): string | undefined => formatTime(seconds * 1000);

function addNetworks(program: Command, io: CliIo): void {
  program
    .command('networks')
    .description('list the configured IP networks with their capacity and use')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const networks = await withClient(flags, io, (client) => client.listNetworks());
      printAnswer(io, flags.output, networks, () =>
        networks.length === 0
          ? 'no networks configured (add [[network]] tables to the configuration file)'
          : formatTable(
              ['NAME', 'KIND', 'CIDR', 'GATEWAY', 'CAPACITY', 'ALLOCATED', 'AVAILABLE'],
              networks.map((n) => [n.name, n.kind, n.cidr, n.gateway, n.capacity, n.allocated, n.available]),
            ),
      );
    });
}

function addAllocate(ip: Command, io: CliIo): void {
  ip.command('allocate')
    .description('allocate an address to an owner: the next free one, or --ip; asking again answers the same address')
    .argument('<network>', 'network name')
    .argument('<owner>', 'who holds the address (a service name, a peer name, …)')
    .option('--ip <address>', 'a specific address, which must be free and usable')
    .action(async (network: string, owner: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const address = stringFlag(options, 'ip');
      const input = { network, owner, ...(address === undefined ? {} : { ip: address }) };
      const result = await withClient(flags, io, (client) => client.allocateIp(input));
      printAnswer(io, flags.output, result, () => `${result.created ? 'allocated' : 'already held'}: ${result.address} in ${network} for ${owner}`);
    });
}

function addRelease(ip: Command, io: CliIo): void {
  ip.command('release')
    .description('release an address, named by its owner or by --ip')
    .argument('<network>', 'network name')
    .argument('[owner]', 'the owner whose address is released')
    .option('--ip <address>', 'the address released')
    .action(async (network: string, owner: string | undefined, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const address = stringFlag(options, 'ip');
      if ((owner === undefined) === (address === undefined)) {
        throw new InvalidArgumentError('give exactly one of <owner> or --ip');
      }
      const input = { network, ...(owner === undefined ? {} : { owner }), ...(address === undefined ? {} : { ip: address }) };
      const result = await withClient(flags, io, (client) => client.releaseIp(input));
      printAnswer(io, flags.output, result, () => `released ${result.address} in ${network} (held by ${result.owner})`);
    });
}

function addList(ip: Command, io: CliIo): void {
  ip.command('list')
    .description('list allocated addresses, of one network or all')
    .argument('[network]', 'network name')
    .action(async (network: string | undefined, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const list = await withClient(flags, io, (client) => client.listAllocations(network === undefined ? {} : { network }));
      printAnswer(io, flags.output, list, () =>
        list.length === 0
          ? 'no addresses allocated'
          : formatTable(
              ['NETWORK', 'ADDRESS', 'OWNER', 'ALLOCATED'],
              list.map((a) => [a.network, a.address, a.owner, when(a.allocated_at)]),
            ),
      );
    });
}

export function addIpCommands(program: Command, io: CliIo): void {
  addNetworks(program, io);
  const ip = program.command('ip').description('allocate and release IP addresses in the configured networks');
  addAllocate(ip, io);
  addRelease(ip, io);
  addList(ip, io);
}
