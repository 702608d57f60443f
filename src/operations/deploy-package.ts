import { z } from 'zod';
import { type DeploymentRecord, deploymentWire, RegistryError } from '../domain/index.js';
import { defineOperation } from './define.js';
import type { Deployer, RuntimeServices } from './runtime.js';
import { serviceName, unset } from './schemas.js';

export const nodeName = serviceName;
export const deploymentId = z.uuid({ error: 'must be a UUID' });

export function deployerOf(runtime: RuntimeServices): Deployer {
  if (runtime.deployer === undefined) throw new RegistryError('unavailable', 'this server does not deploy packages');
  return runtime.deployer;
}

/**
 * Verify a package on the server's host, deploy it to a `[[node]]` over SSH, and register the
 * service. Answers when the deployment has finished: the final record, or `deployment_failed`
 * (or `host_key_mismatch`, `package_invalid`, `deployment_in_progress`) saying why.
 */
export const deployPackage = defineOperation({
  name: 'deploy_package',
  role: 'admin',
  kind: 'other',
  summary: 'deploy a service package to a node over SSH',
  input: z.strictObject({
    package_path: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters'),
    target_node: nodeName,
    deployment_id: unset(deploymentId),
  }),
  output: deploymentWire,
  async handle(input, ctx): Promise<DeploymentRecord> {
    return deployerOf(ctx.runtime).deploy({
      packagePath: input.package_path,
      node: input.target_node,
      ...(input.deployment_id === undefined ? {} : { deploymentId: input.deployment_id }),
    });
  },
});
