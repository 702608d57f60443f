/** Deployment records on the wire (README "Deployment"): snake_case, times in Unix seconds, step durations in ms. */
import type { DeploymentRecord, DeploymentStepRecord, DeploymentWire } from '../domain/index.js';
import type { Frozen } from './frozen.js';
import { toSeconds } from './wire-service.js';

const encodeStep = (s: DeploymentStepRecord): Frozen<DeploymentWire['steps'][number]> => ({
  step: s.step,
  status: s.status,
  started_at: toSeconds(s.startedAt),
  finished_at: s.finishedAt === undefined ? undefined : toSeconds(s.finishedAt),
  duration_ms: s.finishedAt === undefined ? undefined : s.finishedAt - s.startedAt,
  message: s.message,
});

export function encodeDeployment(d: DeploymentRecord): Frozen<DeploymentWire> {
  return {
    id: d.id,
    kind: d.kind,
    node: d.node,
    service: d.service,
    version: d.version,
    previous_version: d.previousVersion,
    status: d.status,
    started_at: toSeconds(d.startedAt),
    finished_at: d.finishedAt === undefined ? undefined : toSeconds(d.finishedAt),
    package_bytes: d.packageBytes,
    uploaded_bytes: d.uploadedBytes,
    steps: d.steps.map(encodeStep),
    failure: d.failure === undefined ? undefined : { step: d.failure.step, code: d.failure.code, message: d.failure.message, output: d.failure.output },
    rolled_back_to: d.rolledBackTo,
    server: d.server,
  };
}
