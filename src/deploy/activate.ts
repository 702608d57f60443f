import { type Attempt, tcpProbe, untilHealthy } from './health.js';
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_HEALTH_TIMEOUT_MS, INSTALL_SCRIPT, START_SCRIPT, STOP_SCRIPT } from './manifest.js';
import { registerRelease } from './register.js';
import { scriptCommand, switchCommand, unlinkCurrentCommand } from './remote.js';
import { describeOutput, type Release, type Run } from './run.js';

/** The most one TCP health probe waits for a connection. */
const TCP_PROBE_MS = 2_000;
/** The least time one health script attempt gets, even close to the deadline. */
const MIN_ATTEMPT_MS = 2_000;

/** Where an activation got to: after the switch, a failure must be rolled back. */
export interface Progress {
  switched: boolean;
}

async function scriptAttempt(run: Run, release: Release, script: string, remainingMs: number): Promise<Attempt> {
  const command = scriptCommand(run.layout, script, run.scriptEnv(release));
  // The deadline bounds when attempts start; one attempt still gets a fair time to answer.
  const timeoutMs = Math.min(Math.max(remainingMs, MIN_ATTEMPT_MS), run.options.limits.commandTimeoutMs);
  try {
    const result = await run.session.exec(command, { timeoutMs, signal: run.signal, what: script });
    const detail = result.code === 0 ? `${script} exited with code 0` : `${script} exited with code ${result.code ?? result.signal ?? 'unknown'}`;
    return { healthy: result.code === 0, detail, output: describeOutput(result) };
  } catch (error) {
    if (run.signal.aborted) throw error;
    return { healthy: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

async function tcpAttempt(run: Run, ports: readonly number[], remainingMs: number): Promise<Attempt> {
  const host = run.options.target.host;
  const timeoutMs = Math.min(remainingMs, TCP_PROBE_MS);
  const answers = await Promise.all(ports.map((port) => tcpProbe(host, port, timeoutMs, run.signal)));
  const silent = ports.filter((_, i) => answers[i] !== true);
  return silent.length === 0
    ? { healthy: true, detail: `${host} accepts TCP on port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}` }
    : { healthy: false, detail: `${host} does not accept TCP on port${silent.length === 1 ? '' : 's'} ${silent.join(', ')}` };
}

/** The health script when there is one, else a TCP connection to every manifest port from this host. */
async function checkHealth(run: Run, release: Release): Promise<string> {
  const health = release.manifest?.health;
  const options = {
    timeoutMs: health?.timeout ?? DEFAULT_HEALTH_TIMEOUT_MS,
    intervalMs: health?.interval ?? DEFAULT_HEALTH_INTERVAL_MS,
    signal: run.signal,
    now: () => run.options.clock.now(),
  };
  const script = release.healthScript;
  if (script !== undefined) return untilHealthy((remaining) => scriptAttempt(run, release, script, remaining), options);
  const ports = release.manifest?.service.ports.map((p) => p.port) ?? [];
  if (ports.length === 0) return 'no health script and no ports: nothing to check';
  return untilHealthy((remaining) => tcpAttempt(run, ports, remaining), options);
}

async function register(run: Run, release: Release): Promise<string> {
  const { manifest } = release;
  if (manifest === undefined) return `the manifest of ${release.version} could not be read; the registration is left as it is`;
  const { target, store, clock, newId, deploymentId } = run.options;
  const service = await registerRelease(store, { manifest, node: target, deploymentId, now: clock.now(), newId });
  const where = service.endpoints.map((e) => `${e.name} ${target.host}:${e.port}`).join(', ');
  return `${service.name} ${release.version} registered running${where === '' ? '' : ` at ${where}`}`;
}

/** stop the previous release → switch `current` → install → start → health → register. */
export async function activate(run: Run, next: Release, previous: Release | undefined, progress: Progress, runInstall: boolean): Promise<void> {
  const { deploymentId } = run.options;
  if (previous === undefined) await run.skip('stop', 'no release was current');
  else await run.step('stop', async () => ({ value: await run.script(previous, STOP_SCRIPT), message: `stopped ${previous.version}` }));
  await run.step('switch', async () => {
    await run.remote(switchCommand(run.layout, next.version, deploymentId), 'switching the current link');
    progress.switched = true;
    return { value: undefined, message: `current → releases/${next.version}` };
  });
  if (runInstall && next.hasInstallScript) await run.step('install', async () => ({ value: await run.script(next, INSTALL_SCRIPT) }));
  else await run.skip('install', runInstall ? 'the package has no scripts/install.sh' : 'a rollback does not run install.sh again');
  await run.step('start', async () => ({ value: await run.script(next, START_SCRIPT), message: `started ${next.version}` }));
  await run.step('health', async () => ({ value: undefined, message: await checkHealth(run, next) }));
  await run.step('register', async () => ({ value: undefined, message: await register(run, next) }));
}

/**
 * After a failure: stop what was started, point `current` back at the previous release, start it,
 * wait for its health check and register it again. Resolves with the version current again, undefined when none was.
 */
export async function revert(run: Run, failed: Release, previous: Release | undefined, progress: Progress): Promise<string | undefined> {
  const { deploymentId } = run.options;
  return run.step('rollback', async () => {
    const notes: string[] = [];
    if (progress.switched) {
      await run.script(failed, STOP_SCRIPT).then(
        () => notes.push(`stopped ${failed.version}`),
        (error: unknown) => notes.push(`stopping ${failed.version} failed (${error instanceof Error ? error.message : String(error)})`),
      );
      if (previous === undefined) await run.remote(unlinkCurrentCommand(run.layout), 'removing the current link');
      else await run.remote(switchCommand(run.layout, previous.version, deploymentId), 'switching the current link back');
    }
    if (previous === undefined) return { value: undefined, message: [...notes, 'no previous release to go back to'].join('; ') };
    await run.script(previous, START_SCRIPT);
    notes.push(`current → releases/${previous.version}`, `started ${previous.version}`, await checkHealth(run, previous), await register(run, previous));
    return { value: previous.version, message: notes.join('; ') };
  });
}
