/** `services` (service entries with state and endpoints) and `watch` (live events). */
import type { Command } from 'commander';
import { type InputFor, RegistryClient, type StreamedEvent } from '../../client/index.js';
import { eventTypes, type EventType, RegistryError, type ServiceWire } from '../../domain/index.js';
import { clientTarget, globalFlags, withClient } from '../connection.js';
import { integerIn, type OptionBag, stringFlag } from '../flags.js';
import { formatTable, formatTime } from '../format.js';
import { terminalSafe } from '../terminal-text.js';
import { type CliIo, println } from '../io.js';
import { printAnswer, printStreamed } from '../output.js';
import { addressPairs, endpointPairs } from './services.js';

const endpointsOf = (s: ServiceWire): string => endpointPairs(s) || `${s.port}/${s.protocol}`;
const addressesOf = (s: ServiceWire): string => addressPairs(s) || s.host;

export function entryTable(services: readonly ServiceWire[]): string {
  const rows = services.map((s) => [s.name, s.state, s.version ?? '', addressesOf(s), endpointsOf(s), s.source]);
  return formatTable(['NAME', 'STATE', 'VERSION', 'ADDRESSES', 'ENDPOINTS', 'SOURCE'], rows);
}

function parseEventList(text: string | undefined): EventType[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !(eventTypes as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new RegistryError('invalid_params', `--events: unknown event ${unknown.join(', ')}; known: ${eventTypes.join(', ')}`);
  }
  return names as EventType[];
}

/** What one event is about, and the detail a person watching wants to see. */
function describeEvent(e: StreamedEvent): [string, string] {
  switch (e.event) {
    case 'ServiceRegistered':
    case 'ServiceUpdated':
    case 'ServiceDeregistered':
      return [e.data.service.name, ''];
    case 'ServiceStateChanged':
      return [e.data.service.name, ` ${e.data.old_state} → ${e.data.new_state}`];
    case 'HealthChanged': {
      const d = e.data;
      // The output comes from the probed server: escaped before it reaches the terminal.
      const output = d.output === '' ? '' : `: ${terminalSafe(d.output)}`;
      return [d.service.name, ` ${d.check} ${d.from} → ${d.to}${d.active ? '' : ' (not served)'}${output}`];
    }
    case 'IpAllocated':
    case 'IpReleased':
      return [e.data.owner, ` ${e.data.address} in ${e.data.network}`];
    case 'DeploymentProgress': {
      const d = e.data;
      return [`${d.service}@${d.node}`, ` ${d.step} ${d.status}${d.message === undefined ? '' : `: ${d.message}`}`];
    }
    case 'NetworkTopologyChanged':
      return [e.data.host_id, ` ${e.data.addresses.length} addresses`];
    default: {
      const never: never = e;
      return never;
    }
  }
}

const eventLine = (e: StreamedEvent): string => {
  const [subject, extra] = describeEvent(e);
  return `${formatTime(e.timestamp * 1000)}  #${e.revision}  ${e.event}  ${terminalSafe(subject)}${terminalSafe(extra)}`;
};

function addServices(program: Command, io: CliIo): void {
  program
    .command('services')
    .description('list service entries with their state, addresses and endpoints')
    .option('--namespace <ns>', 'only this namespace')
    .option('--state <state>', 'only services in this state')
    .option('--tag <tag...>', 'only services with every one of these tags')
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const tags = Array.isArray(options.tag) ? options.tag.map(String) : undefined;
      const namespace = stringFlag(options, 'namespace');
      const state = stringFlag(options, 'state');
      const input = { ...(namespace ? { namespace } : {}), ...(state ? { state } : {}), ...(tags ? { tags } : {}) };
      // The server validates the state name; the CLI passes it through.
      const services = await withClient(flags, io, (client) => client.listServices(input as InputFor<'list_services'>));
      printAnswer(io, flags.output, services, () => entryTable(services));
    });
}

function addWatch(program: Command, io: CliIo): void {
  program
    .command('watch')
    .description('stream events until interrupted; reconnects and resumes on its own')
    .option('--events <names>', `comma-separated event types (default all: ${eventTypes.join(', ')})`)
    .option('--service <glob...>', 'only events of services matching these globs')
    .option('--since <revision>', 'replay from this revision first (0 or more; inclusive)', integerIn(0, Number.MAX_SAFE_INTEGER))
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const events = parseEventList(stringFlag(options, 'events'));
      const services = Array.isArray(options.service) ? options.service.map(String) : undefined;
      const since = typeof options.since === 'number' ? options.since : undefined;
      const target = await clientTarget(flags, io);
      const client = await RegistryClient.connect(target.url, target.options);
      const stream = client.subscribe({
        ...(events ? { events } : {}),
        ...(services ? { services } : {}),
        ...(since === undefined ? {} : { sinceRevision: since }),
        onStatus: (s) => {
          if (s.type === 'disconnect') println(io.stderr, `disconnected: ${s.reason}; reconnecting`);
        },
      });
      const stop = io.onShutdownSignal(() => void stream.close());
      try {
        for await (const event of stream) printStreamed(io, flags.output, event, () => eventLine(event));
      } finally {
        stop();
        await client.close();
      }
    });
}

export function addDiscoveryCommands(program: Command, io: CliIo): void {
  addServices(program, io);
  addWatch(program, io);
}
