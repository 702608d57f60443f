/**
 * README.md against the source: every operation with its role, every CLI command, every event
 * type, the defaults of `[limits]` and `[[node]]`, and the `registry call` examples (real
 * actions, JSON params, shell blocks bash can read). The frames in the README are captured from
 * a running server by hand; this keeps the reference parts from drifting.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram, type CliIo } from '../../src/cli/index.js';
import { parseConfig } from '../../src/config/index.js';
import { eventTypes } from '../../src/domain/index.js';
import { operationAliases, operations } from '../../src/operations/index.js';

const README = new URL('../../README.md', import.meta.url);
const exec = promisify(execFile);

const readme = async (): Promise<string> => readFile(README, 'utf8');

/** The lines from `heading` (exact) to the next heading of the same or a higher level. */
function section(text: string, heading: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === heading);
  assert.notEqual(start, -1, `README.md has a "${heading}" section`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => {
    const hashes = /^(#+) /.exec(line)?.[1];
    return hashes !== undefined && hashes.length <= level;
  });
  return end === -1 ? rest : rest.slice(0, end);
}

/** Table rows of a section as cells; `\|` inside a cell stays in the cell. */
function rows(lines: readonly string[]): string[][] {
  return lines
    .filter((line) => line.trim().startsWith('|') && !/^\|\s*-/.test(line.trim()))
    .map((line) =>
      line
        .trim()
        .replace(/^\|/, '')
        .replace(/\|$/, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

/** The first table of a section: its lines from the first `|` line to the next line that is not one. */
function firstTable(lines: readonly string[]): string[] {
  const start = lines.findIndex((line) => line.trim().startsWith('|'));
  if (start === -1) return [];
  const end = lines.findIndex((line, index) => index > start && !line.trim().startsWith('|'));
  return lines.slice(start, end === -1 ? undefined : end);
}

const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

/** Commands of capabilities the README documents once they are finished (none today). */
const laterDocumented: ReadonlySet<string> = new Set<string>([]);

const silentIo: CliIo = {
  stdout: { write: () => true, isTTY: false },
  stderr: { write: () => true },
  env: {},
  cwd: '/',
  onShutdownSignal: () => () => undefined,
};

/** Every runnable command as typed: `list`, `ip allocate`, `cert issue-client`, … (hidden ones are for the completion scripts) */
function commandPaths(command: Command, prefix = ''): string[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const path = `${prefix}${sub.name()}`;
      return sub.commands.length === 0 ? [path] : commandPaths(sub, `${path} `);
    });
}

describe('README.md', () => {
  it('lists every operation in the action envelope table with the role the operation table gives it', async () => {
    const table = rows(section(await readme(), '### Action envelope'));
    const roleOf = new Map<string, string>();
    for (const [names = '', role = ''] of table) for (const name of backticked(names)) roleOf.set(name, role);
    for (const op of operations) {
      assert.ok(roleOf.has(op.name), `operation ${op.name} is missing from the action table`);
      assert.equal(roleOf.get(op.name), op.role, `${op.name}: role`);
    }
    for (const [alias, target] of Object.entries(operationAliases)) {
      assert.equal(roleOf.get(alias), roleOf.get(target), `alias ${alias} is listed with ${target}`);
    }
  });

  it('lists every command of the CLI in the command table', async () => {
    const firstCells = rows(section(await readme(), '## Command line')).map(([first = '']) => first);
    const paths = commandPaths(buildProgram(silentIo, () => undefined)).filter((path) => !laterDocumented.has(path));
    assert.ok(paths.length > 20, `found ${paths.length} commands`);
    for (const path of paths) {
      const listed = firstCells.some((cell) => cell.includes(`\`${path} `) || cell.includes(`\`${path}\``));
      assert.ok(listed, `registry ${path} is missing from the command table`);
    }
  });

  it('writes every registry call example as a command a shell runs as shown', async () => {
    const text = await readme();
    const known = new Set<string>([...operations.map((op) => op.name), ...Object.keys(operationAliases)]);
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const calls = blocks.flatMap((block) => block.split('\n')).filter((line) => /^npx registry .*\bcall /.test(line));
    assert.ok(calls.length >= 40, `${calls.length} call examples`);
    for (const line of calls) {
      // A token read from a file is spliced into the quoted JSON: '{"token":"'"$(cat f)"'"}'.
      const plain = line.replaceAll(`'"$(cat /tmp/viewer.token)"'`, 'srg_example');
      const match = /\bcall (?:--timeout \d+ )?([a-z_]+)(?: '([^']*)')?(?:;| &|$)/.exec(plain);
      assert.ok(match, `an action and one single-quoted JSON object: ${line}`);
      const [, action = '', json] = match;
      if (action !== 'frobnicate') assert.ok(known.has(action), `${action} is an action of the envelope: ${line}`);
      if (json !== undefined) {
        const params: unknown = JSON.parse(json);
        assert.ok(typeof params === 'object' && params !== null && !Array.isArray(params), `params are an object: ${line}`);
      }
    }
    for (const block of blocks) await exec('bash', ['-n', '-c', block]);
  });

  it('describes every event type', async () => {
    const cells = rows(section(await readme(), '## Events')).map(([first = '']) => first);
    const listed = new Set(cells.flatMap(backticked));
    for (const type of eventTypes) assert.ok(listed.has(type), `event ${type} is missing from the events table`);
  });

  it('states the defaults of [limits] and [[node]] that the configuration fills in', async () => {
    const text = await readme();
    const config = parseConfig('[[node]]\nname = "n"\n', { configPath: '/etc/registry/backends.toml', env: {}, cwd: '/' });
    const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const limits: Readonly<Record<string, number>> = { ...config.limits, idleTimeout: config.limits.idleTimeoutSeconds, handshakeTimeout: config.limits.handshakeTimeoutSeconds };
    const limitRows = rows(firstTable(section(text, '### Limits (`[limits]`)'))).filter(([key = '']) => key.startsWith('`'));
    assert.equal(limitRows.length, Object.keys(config.limits).length, 'one row per [limits] key');
    for (const [key = '', stated = ''] of limitRows) {
      const name = camel(backticked(key)[0] ?? '');
      assert.equal(Number(/^\d+/.exec(stated)?.[0]), limits[name], `[limits] ${key}: default`);
    }
    const nodeRows = new Map(rows(firstTable(section(text, '### Nodes (`[[node]]`)'))).map(([key = '', stated = '']) => [key, stated]));
    const node = config.nodeDefinitions[0];
    assert.equal(nodeRows.get('`ssh_port`'), String(node?.sshPort));
    assert.equal(nodeRows.get('`install_dir`'), `\`${node?.installDir ?? ''}\``);
  });

  it('says nothing is still being built', async () => {
    const lines = (await readme()).split(/\r?\n/).filter((line) => /being built|not built yet|still being/i.test(line));
    assert.deepEqual(lines, []);
  });
});
