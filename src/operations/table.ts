import { RegistryError } from '../domain/index.js';
import type { AnyOperation } from './define.js';
import { deregister } from './deregister.js';
import { getService } from './get-service.js';
import { listServices } from './list-services.js';
import { ping } from './ping.js';
import { register } from './register.js';
import { reload } from './reload.js';
import { status } from './status.js';
import { update } from './update.js';
import { registerService } from './register-service.js';
import { subscribe, unsubscribe } from './subscribe.js';
import { serviceAction, setState } from './service-action.js';
import { getTopology } from './get-topology.js';
import { resolve } from './resolve.js';
import { listEndpoints } from './list-endpoints.js';
import { env } from './env.js';
import { allocateIp } from './allocate-ip.js';
import { listAllocations } from './list-allocations.js';
import { listNetworks } from './list-networks.js';
import { releaseIp } from './release-ip.js';
import { deployPackage } from './deploy-package.js';
import { rollback } from './rollback.js';
import { listNodes } from './list-nodes.js';
import { listDeployments } from './list-deployments.js';
import { getDeployment } from './get-deployment.js';
import { authenticate } from './authenticate.js';
import { tokenCreate } from './token-create.js';
import { tokenList } from './token-list.js';
import { tokenRevoke } from './token-revoke.js';
import { addCheck } from './add-check.js';
import { removeCheck } from './remove-check.js';
import { listChecks } from './list-checks.js';
import { getHealth } from './get-health.js';

/** Every operation, once. The dialects map their own names onto these. */
export const operations = [
  register,
  registerService,
  update,
  deregister,
  ping,
  getService,
  listServices,
  reload,
  status,
  subscribe,
  unsubscribe,
  serviceAction,
  setState,
  getTopology,
  resolve,
  listEndpoints,
  env,
  listNetworks,
  allocateIp,
  releaseIp,
  listAllocations,
  deployPackage,
  rollback,
  listNodes,
  listDeployments,
  getDeployment,
  authenticate,
  tokenCreate,
  tokenList,
  tokenRevoke,
  addCheck,
  removeCheck,
  listChecks,
  getHealth,
] as const;

export type OperationTable = typeof operations;
export type OperationName = OperationTable[number]['name'];
export type OperationByName<N extends OperationName> = Extract<OperationTable[number], { name: N }>;

/** Seed A's names for operations the Plexus design already has. */
export const operationAliases: Readonly<Record<string, OperationName>> = {
  update_service: 'update',
  deregister_service: 'deregister',
  delete: 'deregister',
};

/** Checked once at start: a broken table stops the server rather than failing a request later. */
export function buildOperationIndex(table: readonly AnyOperation[] = operations): ReadonlyMap<string, AnyOperation> {
  const index = new Map<string, AnyOperation>();
  for (const op of table) {
    if (index.has(op.name)) throw new RegistryError('internal', `operation '${op.name}' is defined twice`);
    if (!/^[a-z][a-z_]*$/.test(op.name)) throw new RegistryError('internal', `operation name '${op.name}' is not snake_case`);
    index.set(op.name, op);
  }
  for (const [alias, target] of Object.entries(operationAliases)) {
    const op = index.get(target);
    if (op === undefined || index.has(alias)) throw new RegistryError('internal', `alias '${alias}' is broken or shadows an operation`);
    index.set(alias, op);
  }
  return index;
}
