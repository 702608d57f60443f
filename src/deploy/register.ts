import { applyPatch, asServiceId, type Endpoint, newService, type Service, type ServiceFields } from '../domain/index.js';
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

/**
 * Registers (or updates) the service as deployed: `source=deploy`, no TTL (a deployed service
 * does not ping), state `running`. An update that changes the state also says so with
 * ServiceStateChanged.
 */
export async function registerRelease(store: Store, release: RegisterRelease): Promise<Service> {
  const fields = fieldsOf(release);
  const name = release.manifest.name;
  const { value } = await store.write(async (tx) => {
    const existing = await tx.services.get(name);
    if (existing === undefined) {
      const service = newService(fields, { id: asServiceId(release.newId()), name, source: 'deploy', now: release.now, revision: tx.revision });
      await tx.services.put(service);
      tx.emit({ type: 'ServiceRegistered', service });
      return service;
    }
    const { ttlSeconds: _static, ...patched } = applyPatch(existing, fields, release.now, tx.revision);
    const service: Service = { ...patched, endpoints: fields.endpoints ?? [], source: 'deploy', lastSeen: release.now };
    await tx.services.put(service);
    tx.emit({ type: 'ServiceUpdated', service });
    if (existing.state !== service.state) tx.emit({ type: 'ServiceStateChanged', service, oldState: existing.state, newState: service.state });
    return service;
  });
  return value;
}

/** Marks a registered service `failed` (a deployment left it with no working release). */
export async function markServiceFailed(store: Store, name: string, now: number): Promise<void> {
  await store.write(async (tx) => {
    const existing = await tx.services.get(name);
    if (existing === undefined || existing.state === 'failed') return;
    const service = applyPatch(existing, { state: 'failed' }, now, tx.revision);
    await tx.services.put(service);
    tx.emit({ type: 'ServiceStateChanged', service, oldState: existing.state, newState: 'failed' });
  });
}
