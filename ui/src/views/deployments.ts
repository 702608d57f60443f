/**
 * Deployments, newest first, each with its steps as they run: the steps a deployment goes
 * through (src/domain's list) from pending to started to succeeded or failed, moved by the
 * `DeploymentProgress` events as they come.
 */
import { deploymentSteps } from '../../../src/domain/deployment.js';
import type { DeploymentWire } from '../../../src/domain/index.js';
import { clockTime, el, show } from '../dom.js';

/** How many deployments the page shows. */
const SHOWN = 12;

type StepRecord = DeploymentWire['steps'][number];

/** The steps a deployment goes through unless it fails; a rollback's own steps show as they happen. */
const PLANNED = deploymentSteps.filter((step) => step !== 'rollback');

function stepChip(step: string, record: StepRecord | undefined): HTMLElement {
  const status = record?.status ?? 'pending';
  const took = record?.duration_ms === undefined ? '' : ` in ${record.duration_ms} ms`;
  const title = record === undefined ? `${step}: not yet` : `${step}: ${status}${took}${record.message === undefined ? '' : ` — ${record.message}`}`;
  return el('li', { class: `step step-${status}`, 'data-step': step, 'data-status': status, title }, step);
}

/**
 * The status to show. The server writes a deployment's final status after its last step, with no
 * event of its own, so while the record held still says running the steps tell: `register`
 * succeeding ends a deployment and a rollback alike (DESIGN §10), and a failed step with nothing
 * running after it is a failure.
 */
export function shownStatus(deployment: DeploymentWire): DeploymentWire['status'] {
  if (deployment.status !== 'running') return deployment.status;
  const last = deployment.steps.at(-1);
  if (last?.step === 'register' && last.status === 'succeeded') return 'succeeded';
  if (last?.status === 'failed' || (last?.step === 'rollback' && last.status === 'succeeded')) return 'failed';
  return 'running';
}

function deploymentCard(deployment: DeploymentWire): HTMLElement {
  const status = shownStatus(deployment);
  const latest = new Map<string, StepRecord>();
  for (const record of deployment.steps) latest.set(record.step, record);
  const extra = [...latest.keys()].filter((step) => !PLANNED.some((p) => p === step));
  const names = deployment.kind === 'rollback' ? [...latest.keys()] : [...PLANNED, ...extra];
  const done = names.filter((step) => latest.get(step)?.status === 'succeeded').length;
  const versions = deployment.previous_version === undefined ? deployment.version : `${deployment.previous_version} → ${deployment.version}`;
  return el(
    'article',
    { class: `card deployment status-${status}`, 'data-deployment': deployment.id, 'data-status': status },
    el(
      'header',
      {},
      el('span', { class: 'name' }, deployment.service),
      ' on ',
      el('span', { class: 'name' }, deployment.node),
      ' ',
      el('span', { class: 'muted' }, `${deployment.kind} ${versions}`.trim()),
      ' ',
      el('span', { class: `badge status-${status}` }, status),
    ),
    el('ol', { class: 'steps' }, ...names.map((step) => stepChip(step, latest.get(step)))),
    el('p', { class: 'muted' }, `${done} of ${names.length} steps done · started ${clockTime(deployment.started_at)}`),
    deployment.failure === undefined ? null : el('p', { class: 'failure' }, `${deployment.failure.step} failed (${deployment.failure.code}): ${deployment.failure.message}`),
  );
}

export function renderDeployments(target: HTMLElement, deployments: Iterable<DeploymentWire>): void {
  const list = [...deployments].sort((a, b) => b.started_at - a.started_at).slice(0, SHOWN);
  if (list.length === 0) return show(target, el('p', { class: 'empty' }, 'no deployment has run'));
  show(target, ...list.map(deploymentCard));
}
