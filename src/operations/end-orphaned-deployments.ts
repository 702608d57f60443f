import type { Clock, DeploymentRecord, DeploymentStep } from '../domain/index.js';
import type { Store } from '../store/index.js';

/**
 * Ends the deployments no server runs any more (their server died, or lost track of one): each
 * running record that `orphaned` names is marked failed at its current step, with a
 * DeploymentProgress event, which frees its (node, service) for the next deployment. Not an
 * operation of the table: the server runs it with the TTL sweeps. Resolves with how many ended.
 */
export async function endOrphanedDeployments(deps: { readonly store: Store; readonly clock: Clock }, orphaned: (record: DeploymentRecord) => boolean): Promise<number> {
  const { store, clock } = deps;
  const due = store.deployments.list().filter((r) => r.status === 'running' && orphaned(r));
  if (due.length === 0) return 0;
  const now = clock.now();
  const { value } = await store.write(async (tx) => {
    let ended = 0;
    for (const { id } of due) {
      const record = await tx.deployments.get(id);
      if (record === undefined || record.status !== 'running') continue;
      const step: DeploymentStep = record.steps.at(-1)?.step ?? 'verify';
      const message = `the server running it (${record.server ?? 'unknown'}) stopped before it ended; the node may hold a partial release`;
      const steps = record.steps.map((s) => (s.status === 'started' ? { ...s, status: 'failed' as const, finishedAt: now, message } : s));
      await tx.deployments.put({ ...record, steps, status: 'failed', finishedAt: now, failure: { step, code: 'unavailable', message } });
      tx.emit({ type: 'DeploymentProgress', deploymentId: id, node: record.node, service: record.service, step, status: 'failed', message });
      ended++;
    }
    return ended;
  });
  return value;
}
