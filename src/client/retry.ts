import { RegistryError } from '../domain/index.js';
import type { KindOf, OperationByName, OperationName } from '../operations/index.js';
import { ConnectionClosedError } from './errors.js';

/**
 * What each call does, as the operation table declares it (the compiler checks each entry against
 * the table): a `read` may be sent again, a `write` may with its request id, `other` never.
 */
export const callKinds: { readonly [N in OperationName]: KindOf<OperationByName<N>> } = {
  register: 'write',
  register_service: 'write',
  update: 'write',
  deregister: 'write',
  ping: 'write',
  get_service: 'read',
  list_services: 'read',
  reload: 'other',
  status: 'read',
  subscribe: 'other',
  unsubscribe: 'other',
  service_action: 'write',
  set_state: 'write',
  get_topology: 'read',
  resolve: 'read',
  list_endpoints: 'read',
  env: 'read',
  list_networks: 'read',
  allocate_ip: 'write',
  release_ip: 'write',
  list_allocations: 'read',
  deploy_package: 'other',
  rollback: 'other',
  list_nodes: 'read',
  list_deployments: 'read',
  get_deployment: 'read',
  authenticate: 'other',
  token_create: 'other',
  token_list: 'read',
  token_revoke: 'write',
  add_check: 'write',
  remove_check: 'write',
  list_checks: 'read',
  get_health: 'read',
  list_members: 'read',
  snapshot: 'read',
};

/** The first delay before a call is sent again; each further one doubles. */
export const RETRY_BASE_MS = 100;

/**
 * Whether an attempt that failed so may be sent again: any safe call whose answer never came (the
 * connection was lost), and a write answered `unavailable` (its store failed, maybe after COMMIT:
 * its request id tells). A read's `unavailable` is its answer (an unhealthy service, a server that
 * could not confirm it is current within its own wait).
 */
export const mayRetry = (kind: 'read' | 'write', error: unknown): boolean =>
  error instanceof ConnectionClosedError || (kind === 'write' && error instanceof RegistryError && error.code === 'unavailable');

/** The wait before attempt `attempt + 1`: doubling, with jitter (half to all of it). */
export const retryDelay = (attempt: number): number => RETRY_BASE_MS * 2 ** attempt * (0.5 + Math.random() / 2);
