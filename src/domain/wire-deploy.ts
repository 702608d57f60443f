/** Deployments and nodes on the wire (README "Deployment"): snake_case, times in Unix seconds. */
import { z } from 'zod';
import { deploymentStatuses, deploymentSteps } from './deployment.js';
import { unixSeconds } from './wire-common.js';

const step = z.enum(deploymentSteps);

export const deploymentStepWire = z.object({
  step,
  status: z.enum(['started', 'succeeded', 'failed']),
  started_at: unixSeconds,
  finished_at: unixSeconds.optional(),
  /** How long the step took, once it finished. */
  duration_ms: z.number().int().optional(),
  message: z.string().optional(),
});

/** A deployment (or a rollback) of one service to one node, as the log keeps it. */
export const deploymentWire = z.object({
  id: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  node: z.string(),
  service: z.string(),
  /** The version deployed (for a rollback: the version rolled back to). */
  version: z.string(),
  previous_version: z.string().optional(),
  status: z.enum(deploymentStatuses),
  started_at: unixSeconds,
  finished_at: unixSeconds.optional(),
  package_bytes: z.number().int().optional(),
  uploaded_bytes: z.number().int().optional(),
  steps: z.array(deploymentStepWire),
  failure: z.object({ step, code: z.string(), message: z.string(), output: z.string().optional() }).optional(),
  rolled_back_to: z.string().optional(),
  /** The id of the server that runs (or ran) it, as `list_members` shows it. */
  server: z.string().optional(),
});
export const deploymentListWire = z.array(deploymentWire);

/** A `[[node]]` as list_nodes shows it: where and how it is reached; no key material. */
export const nodeWire = z.object({
  name: z.string(),
  host: z.string().optional(),
  ssh_user: z.string().optional(),
  ssh_port: z.number().int(),
  install_dir: z.string(),
  /** How the host key is verified: `host_key` (pinned), `known_hosts <path>`, or `none`. */
  host_key: z.string(),
  /** False when host, ssh_user, ssh_key or a host key is missing. */
  deployable: z.boolean(),
});
export const nodeListWire = z.array(nodeWire);

export type DeploymentWire = z.output<typeof deploymentWire>;
export type NodeWire = z.output<typeof nodeWire>;
