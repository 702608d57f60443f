/** `deploy`, `rollback`, `deployments`, `deployment`, `nodes`: package deployment over SSH (README "Deployment"). */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RegistryClient } from '../../client/index.js';
import type { DeploymentWire } from '../../domain/index.js';
import { clientTarget, type GlobalFlags, globalFlags, withClient } from '../connection.js';
import { integerIn, numberFlag, type OptionBag, stringFlag } from '../flags.js';
import { formatFields, formatTable, formatTime } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { ProgressView } from './deploy-progress.js';

/** How long `deploy` and `rollback` wait for the server to finish. */
const DEFAULT_DEPLOY_TIMEOUT_S = 1800;
const POLL_MS = 250;

/** Connects with a request timeout long enough for a whole deployment. */
async function withLongClient<T>(flags: GlobalFlags, io: CliIo, timeoutS: number, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
  const target = await clientTarget(flags, io);
  const client = await RegistryClient.connect(target.url, { ...target.options, timeoutMs: timeoutS * 1000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Runs a deployment call while following its record with get_deployment (same connection), so
 * the steps show as they happen; prints how it ended and rethrows a failure for the exit code.
 */
async function follow(
  client: RegistryClient,
  io: CliIo,
  id: string,
  call: () => Promise<DeploymentWire>,
): Promise<DeploymentWire> {
  const view = new ProgressView(io);
  let polling = true;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    const record = await client.call('get_deployment', { id }).catch(() => undefined);
    if (record !== undefined && polling) view.show(record);
    if (polling) timer = setTimeout(() => void poll(), POLL_MS);
  };
  timer = setTimeout(() => void poll(), POLL_MS);
  try {
    const record = await call();
    view.show(record);
    return record;
  } catch (error) {
    const record = await client.call('get_deployment', { id }).catch(() => undefined);
    if (record !== undefined) view.show(record);
    throw error;
  } finally {
    polling = false;
    clearTimeout(timer);
    view.end();
  }
}

/** Wire times are Unix seconds. */
const when = (seconds: number | undefined): string | undefined => (seconds === undefined ? undefined : formatTime(seconds * 1000));

function recordFields(r: DeploymentWire): string {
  const fields = formatFields([
    ['id', r.id],
    ['kind', r.kind],
    ['service', r.service],
    ['version', r.version],
    ['node', r.node],
    ['status', r.status],
    ['previous', r.previous_version],
    ['started', when(r.started_at)],
    ['finished', when(r.finished_at)],
    ['failed step', r.failure?.step],
    ['error', r.failure?.message],
    ['rolled back to', r.rolled_back_to],
  ]);
  const steps = formatTable(['STEP', 'STATUS', 'MS', 'MESSAGE'], r.steps.map((s) => [s.step, s.status, s.duration_ms, s.message]));
  const output = r.failure?.output === undefined ? '' : `\n\noutput of the failing command:\n${r.failure.output}`;
  return `${fields}\n\n${steps}${output}`;
}

const timeoutOption = integerIn(1, 86_400);

function addDeploy(program: Command, io: CliIo): void {
  program
    .command('deploy')
    .description('deploy a package (a .tar.gz or a package folder, read by the server) to a node over SSH')
    .argument('<package>', 'package path on the server host (relative paths are made absolute here)')
    .requiredOption('--node <name>', 'the [[node]] to deploy to')
    .option('--timeout <seconds>', `seconds to wait for the deployment, 1-86400 (default ${DEFAULT_DEPLOY_TIMEOUT_S})`, timeoutOption)
    .action(async (pkg: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const node = stringFlag(options, 'node') ?? '';
      const id = randomUUID();
      const input = { package_path: resolve(io.cwd, pkg), target_node: node, deployment_id: id };
      const record = await withLongClient(flags, io, numberFlag(options, 'timeout') ?? DEFAULT_DEPLOY_TIMEOUT_S, (client) =>
        flags.output === 'table' ? follow(client, io, id, () => client.call('deploy_package', input)) : client.call('deploy_package', input),
      );
      printAnswer(io, flags.output, record, () => `deployed ${record.service} ${record.version} to ${record.node} (deployment ${record.id})`);
    });
}

function addRollback(program: Command, io: CliIo): void {
  program
    .command('rollback')
    .description('go back to the release of a service that was current before the current one')
    .argument('<service>', 'service name')
    .requiredOption('--node <name>', 'the node it runs on')
    .option('--timeout <seconds>', `seconds to wait, 1-86400 (default ${DEFAULT_DEPLOY_TIMEOUT_S})`, timeoutOption)
    .action(async (service: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const id = randomUUID();
      const input = { node: stringFlag(options, 'node') ?? '', service, deployment_id: id };
      const record = await withLongClient(flags, io, numberFlag(options, 'timeout') ?? DEFAULT_DEPLOY_TIMEOUT_S, (client) =>
        flags.output === 'table' ? follow(client, io, id, () => client.call('rollback', input)) : client.call('rollback', input),
      );
      printAnswer(io, flags.output, record, () => `rolled ${record.service} on ${record.node} back to ${record.version} (deployment ${record.id})`);
    });
}

function addQueries(program: Command, io: CliIo): void {
  program
    .command('deployments')
    .description('list recent deployments and rollbacks, newest first')
    .option('--node <name>', 'only this node')
    .option('--service <name>', 'only this service')
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const node = stringFlag(options, 'node');
      const service = stringFlag(options, 'service');
      const list = await withClient(flags, io, (client) => client.call('list_deployments', { node, service }));
      printAnswer(io, flags.output, list, () => {
        const rows = list.map((d) => [d.id, d.kind, d.service, d.version, d.node, d.status, when(d.started_at), d.failure?.step]);
        return formatTable(['ID', 'KIND', 'SERVICE', 'VERSION', 'NODE', 'STATUS', 'STARTED', 'FAILED AT'], rows);
      });
    });
  program
    .command('deployment')
    .description('show one deployment with its steps and, when it failed, the output of the failing command')
    .argument('<id>', 'deployment id')
    .action(async (id: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const record = await withClient(flags, io, (client) => client.call('get_deployment', { id }));
      printAnswer(io, flags.output, record, () => recordFields(record));
    });
  program
    .command('nodes')
    .description('list the configured [[node]]s packages can be deployed to')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const nodes = await withClient(flags, io, (client) => client.call('list_nodes', {}));
      printAnswer(io, flags.output, nodes, () => {
        const rows = nodes.map((n) => [n.name, n.host, n.ssh_user, n.ssh_port, n.install_dir, n.host_key, n.deployable ? 'yes' : 'no']);
        return formatTable(['NAME', 'HOST', 'USER', 'PORT', 'INSTALL DIR', 'HOST KEY', 'DEPLOYABLE'], rows);
      });
    });
}

export function addDeployCommands(program: Command, io: CliIo): void {
  addDeploy(program, io);
  addRollback(program, io);
  addQueries(program, io);
}
