/**
 * Reading deployment records and nodes off the wire. The server is trusted, so shapes are
 * read, not re-validated: a missing field gets a neutral value rather than an exception.
 */
import {
  type DeploymentFailure,
  type DeploymentRecord,
  type DeploymentStep,
  type DeploymentStepRecord,
  deploymentStatuses,
  deploymentSteps,
} from '../domain/index.js';
import type { NodeOutput } from '../operations/index.js';

type Wire = Readonly<Record<string, unknown>>;
const obj = (value: unknown): Wire => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const step = (value: unknown): DeploymentStep => deploymentSteps.find((s) => s === value) ?? 'verify';

function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function decodeStep(value: unknown): DeploymentStepRecord {
  const w = obj(value);
  const status: DeploymentStepRecord['status'] = w.status === 'succeeded' || w.status === 'failed' ? w.status : 'started';
  return defined({ step: step(w.step), status, startedAt: num(w.startedAt) ?? 0, finishedAt: num(w.finishedAt), message: str(w.message) });
}

function decodeFailure(value: unknown): DeploymentFailure | undefined {
  if (value === undefined) return undefined;
  const w = obj(value);
  return defined({ step: step(w.step), code: str(w.code) ?? 'internal', message: str(w.message) ?? '', output: str(w.output) });
}

export function decodeDeployment(value: unknown): DeploymentRecord {
  const w = obj(value);
  const kind: DeploymentRecord['kind'] = w.kind === 'rollback' ? 'rollback' : 'deploy';
  return defined({
    id: str(w.id) ?? '',
    kind,
    node: str(w.node) ?? '',
    service: str(w.service) ?? '',
    version: str(w.version) ?? '',
    previousVersion: str(w.previousVersion),
    status: deploymentStatuses.find((s) => s === w.status) ?? 'running',
    startedAt: num(w.startedAt) ?? 0,
    finishedAt: num(w.finishedAt),
    packageBytes: num(w.packageBytes),
    uploadedBytes: num(w.uploadedBytes),
    steps: Array.isArray(w.steps) ? w.steps.map(decodeStep) : [],
    failure: decodeFailure(w.failure),
    rolledBackTo: str(w.rolledBackTo),
  });
}

export function decodeNode(value: unknown): NodeOutput {
  const w = obj(value);
  return defined({
    name: str(w.name) ?? '',
    host: str(w.host),
    sshUser: str(w.sshUser),
    sshPort: num(w.sshPort) ?? 22,
    installDir: str(w.installDir) ?? '',
    hostKey: str(w.hostKey) ?? 'none',
    deployable: w.deployable === true,
  });
}
