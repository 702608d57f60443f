/**
 * Every operation's answer, read with the operation's own output schema (the wire shape:
 * snake_case, Unix seconds). The client returns exactly what the server sent, checked; an
 * answer of another shape is an error, never a guess.
 */
import type { z } from 'zod';
import {
  addedCheckWire,
  allocatedWire,
  allocationListWire,
  allocationWire,
  authenticatedWire,
  checkRowListWire,
  deploymentListWire,
  deploymentWire,
  deregisteredWire,
  envWire,
  healthReportWire,
  hostTopologyWire,
  memberListWire,
  snapshotWire,
  networkListWire,
  nodeListWire,
  pingWire,
  registeredWire,
  RegistryError,
  reloadedWire,
  removedCheckWire,
  resolvedEndpointListWire,
  resolvedEndpointWire,
  serviceListingWire,
  serviceWire,
  statusWire,
  subscribedWire,
  tokenCreatedWire,
  tokenListWire,
  tokenRevokedWire,
  unsubscribedWire,
} from '../domain/index.js';
import type { OperationName, WireOutputs } from '../operations/index.js';

/** What an operation answers: its output schema's shape, the same on every surface. */
export type OutputFor<N extends OperationName> = WireOutputs[N];

type OutputSchemas = { readonly [N in OperationName]: z.ZodType<OutputFor<N>> };

/**
 * The output schema of each operation, as the operation table declares it (the client does not
 * load the table itself: that is the server's). The compiler checks each against the table.
 */
const outputSchemas = {
  register: registeredWire,
  register_service: registeredWire,
  update: serviceWire,
  deregister: deregisteredWire,
  ping: pingWire,
  get_service: serviceWire,
  list_services: serviceListingWire,
  reload: reloadedWire,
  status: statusWire,
  subscribe: subscribedWire,
  unsubscribe: unsubscribedWire,
  service_action: serviceWire,
  set_state: serviceWire,
  get_topology: hostTopologyWire,
  resolve: resolvedEndpointWire,
  list_endpoints: resolvedEndpointListWire,
  env: envWire,
  list_networks: networkListWire,
  allocate_ip: allocatedWire,
  release_ip: allocationWire,
  list_allocations: allocationListWire,
  deploy_package: deploymentWire,
  rollback: deploymentWire,
  list_nodes: nodeListWire,
  list_deployments: deploymentListWire,
  get_deployment: deploymentWire,
  authenticate: authenticatedWire,
  token_create: tokenCreatedWire,
  token_list: tokenListWire,
  token_revoke: tokenRevokedWire,
  add_check: addedCheckWire,
  remove_check: removedCheckWire,
  list_checks: checkRowListWire,
  get_health: healthReportWire,
  list_members: memberListWire,
  snapshot: snapshotWire,
} satisfies OutputSchemas;

/** Every operation of the table, by its action name (aliases aside): what `registry call` completes. */
export const actionNames: readonly OperationName[] = Object.freeze(Object.keys(outputSchemas).filter((name): name is OperationName => name in outputSchemas));

/** The first few things wrong with an answer, by path. */
const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length === 0 ? '(answer)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');

/** An operation's answer, checked against its schema: `internal` when the server sent another shape. */
export function parseAnswer<N extends OperationName>(op: N, result: unknown): OutputFor<N> {
  const schemas: OutputSchemas = outputSchemas;
  const parsed = schemas[op].safeParse(result);
  if (parsed.success) return parsed.data;
  throw new RegistryError('internal', `the answer to '${op}' does not have the shape of its schema: ${describeIssues(parsed.error)}`, {
    cause: parsed.error,
    details: { operation: op },
  });
}
