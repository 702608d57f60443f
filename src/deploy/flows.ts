import { RegistryError } from '../domain/index.js';
import { activate, type Progress, revert } from './activate.js';
import { HEALTH_SCRIPT, type Manifest, parseManifest } from './manifest.js';
import type { VerifiedPackage } from './package-read.js';
import {
  describeReleaseCommand,
  type Inspection,
  inspectCommand,
  parseInspection,
  prepareUploadCommand,
  unpackCommand,
  uploadHashCommand,
  uploadPath,
} from './remote.js';
import { type Release, type Run, StepFailure } from './run.js';

/** How a deployment or rollback ended; a failure past the switch says what the rollback did. */
export type FlowOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: StepFailure; readonly rolledBackTo?: string; readonly rollbackFailure?: StepFailure };

async function connect(run: Run): Promise<void> {
  const { target } = run.options;
  await run.step('connect', async () => {
    const policy = await run.connect();
    return { value: undefined, message: `${target.sshUser}@${target.host}:${target.sshPort}, host key verified against ${policy.source}` };
  });
}

async function inspect(run: Run, requires: Manifest['requires']): Promise<Inspection> {
  const found = parseInspection((await run.remote(inspectCommand(run.layout, requires), 'checking the node')).stdout);
  const missing = [
    ...(found.missingCommands.length === 0 ? [] : [`commands ${found.missingCommands.join(', ')}`]),
    ...(found.missingLibraries.length === 0 ? [] : [`libraries ${found.missingLibraries.join(', ')}`]),
  ];
  if (missing.length > 0) {
    throw new RegistryError('deployment_failed', `node '${run.options.target.name}' lacks required ${missing.join(' and ')}`, {
      details: { missingCommands: found.missingCommands, missingLibraries: found.missingLibraries },
    });
  }
  return found;
}

/** A release already on the node, described by its own manifest (undefined manifest when unreadable). */
async function describeRelease(run: Run, version: string): Promise<Release> {
  const result = await run.session.exec(describeReleaseCommand(run.layout, version), {
    timeoutMs: run.options.limits.commandTimeoutMs,
    signal: run.signal,
    what: `reading the manifest of ${version}`,
  });
  const [first = '', ...rest] = result.stdout.split('\n');
  let manifest: Manifest | undefined;
  try {
    manifest = result.code === 0 ? parseManifest(rest.join('\n')) : undefined;
  } catch {
    manifest = undefined;
  }
  const healthScript = manifest?.health?.script ?? (first === 'health-script yes' ? HEALTH_SCRIPT : undefined);
  return { version, manifest, healthScript, hasInstallScript: false };
}

/** After a failed activation: roll back when the node was touched (past the stop), and say how it went. */
async function recover(run: Run, error: unknown, next: Release, previous: Release | undefined, progress: Progress): Promise<FlowOutcome> {
  if (!(error instanceof StepFailure)) throw error;
  if (run.signal.aborted || (!progress.switched && error.step !== 'stop')) return { ok: false, failure: error };
  try {
    const rolledBackTo = await revert(run, next, previous, progress);
    return { ok: false, failure: error, ...(rolledBackTo === undefined ? {} : { rolledBackTo }) };
  } catch (rollbackError) {
    if (!(rollbackError instanceof StepFailure)) throw rollbackError;
    return { ok: false, failure: error, rollbackFailure: rollbackError };
  }
}

async function settle(work: () => Promise<FlowOutcome>): Promise<FlowOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StepFailure) return { ok: false, failure: error };
    throw error;
  }
}

/** connect → check → upload → unpack → stop → switch → install → start → health → register. */
export function deployFlow(run: Run, pkg: VerifiedPackage): Promise<FlowOutcome> {
  const { manifest } = pkg;
  const next: Release = { version: manifest.version, manifest, healthScript: pkg.healthScript, hasInstallScript: pkg.hasInstallScript };
  const { journal, deploymentId, limits, signal } = run.options;
  return settle(async () => {
    await connect(run);
    const previous = await run.step('check', async () => {
      const found = await inspect(run, manifest.requires);
      if (found.current === manifest.version) {
        throw new RegistryError('deployment_failed', `${manifest.name} ${manifest.version} is already the current release; deploy another version`);
      }
      const before = found.current === undefined ? undefined : await describeRelease(run, found.current);
      journal.notePrevious(before?.version);
      const required = [...manifest.requires.commands, ...manifest.requires.libraries];
      const present = required.length === 0 ? 'nothing required' : `present: ${required.join(', ')}`;
      return { value: before, message: `${present}; current release: ${before?.version ?? found.currentTarget ?? 'none'}` };
    });
    await run.step('upload', async () => {
      await run.remote(prepareUploadCommand(run.layout), 'preparing the install folder');
      const started = run.options.clock.now();
      const onProgress = (sent: number, total: number): void => void journal.uploaded(sent, total).catch(() => undefined);
      await run.session.upload(pkg.tarball, uploadPath(run.layout, deploymentId), { timeoutMs: limits.uploadTimeoutMs, signal, onProgress });
      await journal.uploaded(pkg.bytes, pkg.bytes);
      const landed = (await run.remote(uploadHashCommand(run.layout, deploymentId), 'hashing the upload')).stdout.split(/\s/)[0];
      if (landed !== pkg.sha256) {
        throw new RegistryError('deployment_failed', `the package on the node has sha256 ${landed ?? 'unknown'}, not the verified ${pkg.sha256}`);
      }
      return { value: undefined, message: `${pkg.bytes} bytes in ${run.options.clock.now() - started} ms; sha256 matches on the node` };
    });
    await run.step('unpack', async () => {
      await run.remote(unpackCommand(run.layout, manifest.version, deploymentId), 'unpacking the package');
      return { value: undefined, message: `${run.layout.releases}/${manifest.version}` };
    });
    const progress: Progress = { switched: false };
    return activate(run, next, previous, progress, true).then(
      (): FlowOutcome => ({ ok: true }),
      (error: unknown) => recover(run, error, next, previous, progress),
    );
  });
}

/** connect → check (both releases on the node) → stop → switch → start → health → register. */
export function rollbackFlow(run: Run, version: string): Promise<FlowOutcome> {
  const { journal } = run.options;
  return settle(async () => {
    await connect(run);
    const { target, current } = await run.step('check', async () => {
      const found = await inspect(run, { commands: [], libraries: [] });
      if (found.current === undefined) throw new RegistryError('deployment_failed', `no release is current on node '${run.options.target.name}'`);
      if (found.current === version) throw new RegistryError('deployment_failed', `${version} is already the current release`);
      const wanted = await describeRelease(run, version);
      if (wanted.manifest === undefined) throw new RegistryError('deployment_failed', `release ${version} is not on the node (or its manifest is unreadable)`);
      const now = await describeRelease(run, found.current);
      journal.notePrevious(now.version);
      return { value: { target: wanted, current: now }, message: `current release ${now.version}; going back to ${version}` };
    });
    const progress: Progress = { switched: false };
    return activate(run, target, current, progress, false).then(
      (): FlowOutcome => ({ ok: true }),
      (error: unknown) => recover(run, error, target, current, progress),
    );
  });
}
