/** `checks [NAME]` and `health NAME`: health checks and where they stand (issue 13). */
import type { Command } from 'commander';
import type { CheckWire } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import { formatAge, formatFields, formatTable } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { terminalSafe, shortText } from '../terminal-text.js';

/** How much of a check's output a table row shows (`--json` has all of it). */
const OUTPUT_COLUMN = 96;

const checkCells = (check: CheckWire, now: number): (string | undefined)[] => [
  check.name,
  check.kind,
  check.status,
  shortText(check.output, OUTPUT_COLUMN),
  formatAge(check.since * 1000, now),
];

function addChecks(program: Command, io: CliIo): void {
  program
    .command('checks')
    .description('health checks with their status and last output: of one service, or of all')
    .argument('[name]', 'service name')
    .action(async (name: string | undefined, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const rows = await withClient(flags, io, (client) => client.listChecks(name === undefined ? {} : { service: name }));
      const now = Date.now();
      printAnswer(io, flags.output, rows, () => formatTable(['SERVICE', 'CHECK', 'KIND', 'STATUS', 'OUTPUT', 'SINCE'], rows.map((row) => [row.service, ...checkCells(row, now)])));
    });
}

function addHealth(program: Command, io: CliIo): void {
  program
    .command('health')
    .description("a service's health: the worst of its TTL and checks, whether discovery serves it, and each check")
    .argument('<name>', 'service name')
    .action(async (name: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const report = await withClient(flags, io, (client) => client.getHealth({ name }));
      printAnswer(io, flags.output, report, () => {
        const now = Date.now();
        const summary = formatFields([
          ['service', report.service],
          ['status', report.status],
          ['served', report.active ? 'yes' : 'no (discovery leaves it out)'],
          ['reason', report.message === undefined ? undefined : terminalSafe(report.message)],
        ]);
        const table = formatTable(['CHECK', 'KIND', 'STATUS', 'OUTPUT', 'SINCE'], report.checks.map((check) => checkCells(check, now)));
        return report.checks.length === 0 ? `${summary}\n\nno checks` : `${summary}\n\n${table}`;
      });
    });
}

export function addHealthCommands(program: Command, io: CliIo): void {
  addChecks(program, io);
  addHealth(program, io);
}
