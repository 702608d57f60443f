import { z } from 'zod';
import { type DeploymentRecord, deploymentWire } from '../domain/index.js';
import { defineOperation } from './define.js';
import { deployerOf, deploymentId, nodeName } from './deploy-package.js';
import { serviceName, unset } from './schemas.js';

/** Put back the release of a service that was current before the current one, on one node. */
export const rollback = defineOperation({
  name: 'rollback',
  role: 'admin',
  kind: 'other',
  summary: 'go back to the previous release of a service on a node',
  input: z.strictObject({ node: nodeName, service: serviceName, deployment_id: unset(deploymentId) }),
  output: deploymentWire,
  async handle(input, ctx): Promise<DeploymentRecord> {
    return deployerOf(ctx.runtime).rollback({
      node: input.node,
      service: input.service,
      ...(input.deployment_id === undefined ? {} : { deploymentId: input.deployment_id }),
    });
  },
});
