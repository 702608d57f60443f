import { RegistryError } from '../domain/index.js';
import { z } from 'zod';
import { paramOfKind } from './call-kind.js';
import type { AnyOperation, OperationContext, OutputOf } from './define.js';
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
import { listMembers } from './list-members.js';
import { snapshot } from './snapshot.js';

/**
 * Every operation, once, by name. The dialects map their own names onto these. The key is the
 * operation's name (checked by the compiler), so a caller holding a name gets that operation's types.
 */
export const operationTable = byName({
  register,
  register_service: registerService,
  update,
  deregister,
  ping,
  get_service: getService,
  list_services: listServices,
  reload,
  status,
  subscribe,
  unsubscribe,
  service_action: serviceAction,
  set_state: setState,
  get_topology: getTopology,
  resolve,
  list_endpoints: listEndpoints,
  env,
  list_networks: listNetworks,
  allocate_ip: allocateIp,
  release_ip: releaseIp,
  list_allocations: listAllocations,
  deploy_package: deployPackage,
  rollback,
  list_nodes: listNodes,
  list_deployments: listDeployments,
  get_deployment: getDeployment,
  authenticate,
  token_create: tokenCreate,
  token_list: tokenList,
  token_revoke: tokenRevoke,
  add_check: addCheck,
  remove_check: removeCheck,
  list_checks: listChecks,
  get_health: getHealth,
  list_members: listMembers,
  snapshot,
});

/** Whether an input schema (an object, possibly refined) has the field `key`. */
function takesParam(schema: z.ZodType, key: string): boolean {
  return schema instanceof z.ZodObject && Object.hasOwn(schema.shape, key);
}

function byName<T extends { readonly [K in keyof T]: AnyOperation & { readonly name: K } }>(table: T): T {
  return table;
}

export type OperationName = keyof typeof operationTable;
export type OperationByName<N extends OperationName> = (typeof operationTable)[N];
export type OperationTable = readonly OperationByName<OperationName>[];
export const operations: OperationTable = Object.values(operationTable);

/** Each operation's parsed input, handler output and wire answer, by name (mapped, so a generic name keeps them together). */
export type HandlerInputs = { readonly [N in OperationName]: z.output<OperationByName<N>['input']> };
export type HandlerOutputs = { readonly [N in OperationName]: OutputOf<OperationByName<N>> };
export type WireOutputs = { readonly [N in OperationName]: z.output<OperationByName<N>['output']> };

/** One operation as a caller holding its name sees it: input, handler and answer typed for that name. */
export interface TypedOperation<N extends OperationName> extends AnyOperation {
  readonly name: N;
  readonly input: z.ZodType<HandlerInputs[N]>;
  readonly output: z.ZodType<WireOutputs[N]>;
  handle(input: HandlerInputs[N], ctx: OperationContext): Promise<HandlerOutputs[N]>;
}

/** The table for a caller that holds a name: `typedOperations[name]` is that operation, with its own types. */
export const typedOperations: { readonly [N in OperationName]: TypedOperation<N> } = operationTable;

/** True for the name of an operation of the table (not an alias). */
export const isOperationName = (name: string): name is OperationName => Object.hasOwn(operationTable, name);

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
    const param = paramOfKind[op.kind];
    if (param !== undefined && !takesParam(op.input, param)) throw new RegistryError('internal', `${op.kind} operation '${op.name}' does not take '${param}'`);
    index.set(op.name, op);
  }
  for (const [alias, target] of Object.entries(operationAliases)) {
    const op = index.get(target);
    if (op === undefined || index.has(alias)) throw new RegistryError('internal', `alias '${alias}' is broken or shadows an operation`);
    index.set(alias, op);
  }
  return index;
}
