/**
 * Every operation's answer on the wire: one encoder per operation, from what its handler returns
 * to its `output` schema (snake_case, Unix seconds). All three dialects carry this value; the
 * compiler checks that every operation has an encoder and that each returns its schema's shape.
 */
import type { Service } from '../domain/index.js';
import type { HandlerOutputs, OperationName, RegisterOutput, ServicePage, WireOutputs } from '../operations/index.js';
import type { Frozen } from './frozen.js';
import { encodeCheckOutput, encodeCheckRow, encodeHealthReport } from './wire-check.js';
import { encodeDeployment } from './wire-deploy.js';
import { encodeService } from './wire-service.js';
import { encodeResolvedEndpoint, encodeTopology } from './wire-topology.js';

/** What an operation answers on the wire, as an encoder builds it. */
export type WireAnswer<N extends OperationName> = Frozen<WireOutputs[N]>;

type ResultEncoders = { readonly [N in OperationName]: (value: HandlerOutputs[N], now: number) => WireAnswer<N> };

const encodeRegistered = (v: RegisterOutput, now: number) => ({ service: encodeService(v.service, now), created: v.created });
const encodeServices = (list: readonly Service[], now: number) => list.map((s) => encodeService(s, now));
const encodeListing = (value: readonly Service[] | ServicePage, now: number) =>
  isPage(value) ? { services: encodeServices(value.services, now), next_cursor: value.nextCursor, revision: value.revision } : encodeServices(value, now);
const isPage = (value: readonly Service[] | ServicePage): value is ServicePage => !Array.isArray(value);

/** Outputs that are already wire-shaped (status, tokens, allocations, …) go as they are. */
const resultEncoders = {
  register: encodeRegistered,
  register_service: encodeRegistered,
  update: encodeService,
  deregister: (v) => v,
  ping: (v) => v,
  get_service: encodeService,
  list_services: encodeListing,
  reload: (v) => v,
  status: (v) => v,
  subscribe: (v) => v,
  unsubscribe: (v) => v,
  service_action: encodeService,
  set_state: encodeService,
  get_topology: encodeTopology,
  resolve: encodeResolvedEndpoint,
  list_endpoints: (v) => v.map(encodeResolvedEndpoint),
  env: (v) => v,
  list_networks: (v) => v,
  allocate_ip: (v) => v,
  release_ip: (v) => v,
  list_allocations: (v) => v,
  deploy_package: encodeDeployment,
  rollback: encodeDeployment,
  list_nodes: (v) => v,
  list_deployments: (v) => v.map(encodeDeployment),
  get_deployment: encodeDeployment,
  authenticate: (v) => v,
  token_create: (v) => v,
  token_list: (v) => v,
  token_revoke: (v) => v,
  add_check: encodeCheckOutput,
  remove_check: (v) => v,
  list_checks: (v) => v.map(encodeCheckRow),
  get_health: encodeHealthReport,
  list_members: (v) => v,
  snapshot: (v) => v,

} satisfies ResultEncoders;

/** One operation's answer: its name and its wire value, kept together so dialects can read it by name. */
export interface Answer<N extends OperationName = OperationName> {
  readonly op: N;
  readonly result: WireAnswer<N>;
}

/** Encodes a handler's value as its operation's answer; `now` decides which services count as active. */
export function answerOf<N extends OperationName>(op: N, value: HandlerOutputs[N], now: number): Answer<N> {
  const encoders: ResultEncoders = resultEncoders;
  return { op, result: encoders[op](value, now) };
}
