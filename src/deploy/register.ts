import {
  asServiceId,
  changeState,
  type CheckDefinition,
  DEFAULT_FAILURES_BEFORE_CRITICAL,
  DEFAULT_SUCCESS_BEFORE_PASSING,
  definitionOf,
  type Endpoint,
  MIN_CHECK_INTERVAL_MS,
  type Service,
  type ServiceFields,
  upsertService,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { Manifest } from './manifest.js';

export interface RegisterRelease {
  readonly manifest: Manifest;
  readonly node: { readonly name: string; readonly host: string; readonly sshUser: string; readonly sshPort: number };
  readonly deploymentId: string;
  readonly now: number;
  readonly newId: () => string;
}

/** The service record a running release stands for: remote, its endpoints from the manifest ports. */
function fieldsOf(release: RegisterRelease): ServiceFields {
  const { manifest, node } = release;
  const endpoints: Endpoint[] = manifest.service.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, metadata: {} }));
  const primary = endpoints[0];
  return {
    host: node.host,
    port: primary?.port ?? 0,
    protocol: primary?.protocol ?? 'tcp',
    version: manifest.version,
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    hostId: node.name,
    location: { type: 'remote', host: node.host, sshUser: node.sshUser, sshPort: node.sshPort },
    endpoints,
    execution: manifest.service.type,
    dependsOn: manifest.depends_on,
    metadata: { deployment_id: release.deploymentId, node: node.name },
    state: 'running',
  };
}

/** The name of the standing check a manifest's `health` becomes. */
export const DEPLOY_CHECK_NAME = 'deploy';

/**
 * A manifest's `health` as a standing check once the deployment succeeded: a TCP connect to the
 * first port from this host (as the deployment's own health step did), at the manifest's interval
 * (at least 1 s) with its timeout capped at that. The health script stays a deployment step: it
 * lives on the node and would need an SSH session every interval.
 */
export function standingCheck(manifest: Manifest, host: string): CheckDefinition | undefined {
  const port = manifest.service.ports[0];
  if (manifest.health === undefined || port === undefined) return undefined;
  const intervalMs = Math.max(MIN_CHECK_INTERVAL_MS, manifest.health.interval);
  return {
    name: DEPLOY_CHECK_NAME,
    kind: 'tcp',
    host,
    port: port.port,
    intervalMs,
    timeoutMs: Math.min(manifest.health.timeout, intervalMs),
    successBeforePassing: DEFAULT_SUCCESS_BEFORE_PASSING,
    failuresBeforeWarning: DEFAULT_FAILURES_BEFORE_CRITICAL,
    failuresBeforeCritical: DEFAULT_FAILURES_BEFORE_CRITICAL,
    // The deployment's health step has just passed.
    initialStatus: 'passing',
  };
}

/** The service's checks with the standing check of this release (and without a former one it no longer has). */
function releaseChecks(existing: Service | undefined, release: RegisterRelease): readonly CheckDefinition[] | undefined {
  const others = (existing?.checks ?? []).filter((c) => c.name !== DEPLOY_CHECK_NAME).map(definitionOf);
  const standing = standingCheck(release.manifest, release.node.host);
  const wanted = standing === undefined ? others : [...others, standing];
  return wanted.length === 0 && existing?.checks === undefined ? undefined : wanted;
}

/**
 * Registers (or updates) the service as deployed, by the domain's upsert: `source=deploy`, no TTL
 * (a deployed service does not ping), state `running`, with the manifest's health as a standing
 * check. What the manifest does not state (tags, addresses, an operator's checks) is kept.
 */
export async function registerRelease(store: Store, release: RegisterRelease): Promise<Service> {
  const name = release.manifest.name;
  const { value } = await store.write(async (tx) => {
    const existing = await tx.services.get(name);
    const checks = releaseChecks(existing, release);
    const registration = { name, source: 'deploy' as const, fields: fieldsOf(release), ...(checks === undefined ? {} : { checks }), mode: 'merge' as const, signOfLife: true };
    const { service, events } = upsertService(existing, registration, { now: release.now, revision: tx.revision, newId: () => asServiceId(release.newId()) });
    if (service !== existing) await tx.services.put(service);
    for (const event of events) tx.emit(event);
    return service;
  });
  return value;
}

/** Marks a registered service `failed` (a deployment left it with no working release). */
export async function markServiceFailed(store: Store, name: string, now: number): Promise<void> {
  await store.write(async (tx) => {
    const existing = await tx.services.get(name);
    if (existing === undefined || existing.state === 'failed') return;
    const { service, event } = changeState(existing, 'failed', now, tx.revision);
    await tx.services.put(service);
    tx.emit(event);
  });
}
