import { z } from 'zod';
import { deploymentListWire, type DeploymentRecord } from '../domain/index.js';
import { defineOperation } from './define.js';
import { nodeName } from './deploy-package.js';
import { readConsistency, serviceName, unset } from './schemas.js';

/** The kept log of recent deployments and rollbacks, newest first; served from memory. */
export const listDeployments = defineOperation({
  name: 'list_deployments',
  role: 'read',
  kind: 'read',
  summary: 'list recent deployments, newest first',
  input: z.strictObject({
    node: unset(nodeName),
    service: unset(serviceName),
    limit: unset(z.number().int('must be an integer').min(1, 'must be ≥ 1').max(1000, 'must be ≤ 1000')),
    consistency: readConsistency,
  }),
  output: deploymentListWire,
  async handle(input, ctx): Promise<readonly DeploymentRecord[]> {
    const matching = ctx.store.deployments
      .list()
      .filter((d) => (input.node === undefined || d.node === input.node) && (input.service === undefined || d.service === input.service));
    return input.limit === undefined ? matching : matching.slice(0, input.limit);
  },
});
