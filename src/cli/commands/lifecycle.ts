/** `start`, `stop`, `restart` (`service_action`) and `set-state` (`set_state`): a service's state machine. */
import { type Command, Argument } from 'commander';
import { serviceStates, type ServiceWire } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

const actions = {
  start: 'move a service to starting (from registered, stopped or failed)',
  stop: 'move a service to stopping (from starting or running)',
  restart: 'stop a starting or running service and start it again (stopping → stopped → starting)',
} as const;

const nowIn = (s: ServiceWire): string => `${s.name} is ${s.state}`;

export function addLifecycleCommands(program: Command, io: CliIo): void {
  for (const action of ['start', 'stop', 'restart'] as const) {
    program
      .command(action)
      .description(actions[action])
      .argument('<name>', 'service name')
      .action(async (name: string, _options: OptionBag, command: Command) => {
        const flags = globalFlags(command);
        const service = await withClient(flags, io, (client) => client.call('service_action', { name, action }));
        printAnswer(io, flags.output, service, () => nowIn(service));
      });
  }
  program
    .command('set-state')
    .description('report the state a service has reached (a service says it is running once it serves)')
    .argument('<name>', 'service name')
    .addArgument(new Argument('<state>', 'the state it is in now').choices(serviceStates))
    .action(async (name: string, given: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const state = serviceStates.find((known) => known === given);
      if (state === undefined) return; // commander has checked the choices
      const service = await withClient(flags, io, (client) => client.call('set_state', { name, state }));
      printAnswer(io, flags.output, service, () => nowIn(service));
    });
}
