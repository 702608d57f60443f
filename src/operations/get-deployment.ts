import { z } from 'zod';
import { type DeploymentRecord, deploymentWire, RegistryError } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';

/** One deployment by id, with every step it ran; while it runs, the steps so far. */
export const getDeployment = defineOperation({
  name: 'get_deployment',
  role: 'read',
  kind: 'read',
  summary: 'one deployment by id',
  input: z.strictObject({ id: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters'), consistency: readConsistency }),
  output: deploymentWire,
  async handle(input, ctx): Promise<DeploymentRecord> {
    const record = ctx.store.deployments.get(input.id);
    if (record === undefined) throw new RegistryError('not_found', `deployment '${input.id}' not found`, { details: { id: input.id } });
    return record;
  },
});
