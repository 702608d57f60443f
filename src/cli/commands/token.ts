/** `token create|list|revoke`: bearer tokens, managed over the connection (admin role). */
import { Command, Option } from 'commander';
import { grantedRoles, isGrantedRole } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import { lifetimeArgument, numberFlag, type OptionBag, stringFlag } from '../flags.js';
import { formatTable, formatTime } from '../format.js';
import { type CliIo, println } from '../io.js';
import { printAnswer } from '../output.js';

function addCreate(token: Command, io: CliIo): void {
  token
    .command('create')
    .description('create a bearer token; its secret is printed once (stdout) and stored only as a hash')
    .requiredOption('--name <name>', 'a name to list and revoke it by')
    .addOption(new Option('--role <role>', 'what it may do').choices(grantedRoles).makeOptionMandatory())
    .option('--ttl <duration>', 'expire after this long (seconds, or "15m", "8h"); default: never', lifetimeArgument)
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const name = stringFlag(options, 'name') ?? '';
      const role = stringFlag(options, 'role');
      const ttl = numberFlag(options, 'ttl');
      if (!isGrantedRole(role)) return; // commander has checked the choices
      const created = await withClient(flags, io, (client) => client.call('token_create', { name, role, ...(ttl === undefined ? {} : { ttl }) }));
      if (flags.output !== 'table') {
        printAnswer(io, flags.output, created, () => created.token);
        return;
      }
      // The secret alone on stdout, so `TOKEN=$(registry token create …)` works; the notice on stderr.
      const until = created.expires_at === undefined ? '' : `, valid until ${formatTime(created.expires_at * 1000) ?? ''}`;
      println(io.stderr, `token '${created.name}' (role ${created.role}${until}) created; this is the only time its secret is shown:`);
      println(io.stdout, created.token);
    });
}

function addList(token: Command, io: CliIo): void {
  token
    .command('list')
    .description('list tokens by name and role (never their secrets)')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const tokens = await withClient(flags, io, (client) => client.call('token_list', {}));
      printAnswer(io, flags.output, tokens, () =>
        tokens.length === 0
          ? 'no tokens (create one with: registry token create --name NAME --role read|write|admin)'
          : formatTable(
              ['NAME', 'ROLE', 'CREATED', 'EXPIRES'],
              tokens.map((t) => [t.name, t.role, formatTime(t.created_at * 1000), t.expires_at === undefined ? 'never' : formatTime(t.expires_at * 1000)]),
            ),
      );
    });
}

function addRevoke(token: Command, io: CliIo): void {
  token
    .command('revoke')
    .description('revoke a token; connections that use it lose its role at once')
    .argument('<name>', 'the token name')
    .action(async (name: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const revoked = await withClient(flags, io, (client) => client.call('token_revoke', { name }));
      printAnswer(io, flags.output, revoked, () => `revoked token '${revoked.name}'`);
    });
}

export function addTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('bearer tokens: create, list, revoke (needs the admin role)');
  addCreate(token, io);
  addList(token, io);
  addRevoke(token, io);
}
