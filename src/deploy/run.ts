import type { Clock, DeploymentStep } from '../domain/index.js';
import { RegistryError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { HostKeyPolicy } from './host-key.js';
import type { DeploymentJournal } from './journal.js';
import type { Manifest } from './manifest.js';
import { type Layout, layoutFor, scriptCommand, type ScriptEnv } from './remote.js';
import { type ExecResult, SshSession } from './ssh.js';
import { loadCredentials, type Target } from './target.js';

/** Time limits of one deployment, in milliseconds. */
export interface DeployLimits {
  readonly connectTimeoutMs: number;
  /** For each remote command and package script. */
  readonly commandTimeoutMs: number;
  readonly uploadTimeoutMs: number;
}

/** A release on a node: what is needed to start, check and register it. */
export interface Release {
  readonly version: string;
  /** Undefined for a release on the node whose manifest could not be read. */
  readonly manifest: Manifest | undefined;
  readonly healthScript: string | undefined;
  readonly hasInstallScript: boolean;
}

export interface RunOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly journal: DeploymentJournal;
  readonly target: Target;
  readonly service: string;
  readonly deploymentId: string;
  readonly signal: AbortSignal;
  readonly limits: DeployLimits;
}

/** A step that failed: the step, the error, and the tail of the command output when one ran. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly step: DeploymentStep,
    readonly error: RegistryError,
  ) {
    super(error.message, { cause: error });
  }

  get output(): string | undefined {
    const output = this.error.details.output;
    return typeof output === 'string' && output !== '' ? output : undefined;
  }
}

const asRegistryError = (error: unknown): RegistryError =>
  error instanceof RegistryError
    ? error
    : new RegistryError('deployment_failed', error instanceof Error ? error.message : String(error), { cause: error });

/** Both output tails of a command, labelled. */
export const describeOutput = (result: ExecResult): string =>
  [result.stdout.trim() === '' ? '' : `stdout:\n${result.stdout.trimEnd()}`, result.stderr.trim() === '' ? '' : `stderr:\n${result.stderr.trimEnd()}`]
    .filter((part) => part !== '')
    .join('\n');

/** One deployment (or rollback) in progress: its SSH session, its journal and its steps. */
export class Run {
  readonly layout: Layout;
  #session: SshSession | undefined;

  constructor(readonly options: RunOptions) {
    this.layout = layoutFor(options.target.installDir, options.service);
  }

  get signal(): AbortSignal {
    return this.options.signal;
  }

  /** Runs one step between its `started` and `succeeded`/`failed` journal entries. */
  async step<T>(step: DeploymentStep, body: () => Promise<{ readonly value: T; readonly message?: string }>): Promise<T> {
    const { journal } = this.options;
    await journal.started(step);
    let outcome: { readonly value: T; readonly message?: string };
    try {
      outcome = await body();
    } catch (error) {
      const failure = new StepFailure(step, asRegistryError(error));
      await journal.failed(step, failure.message);
      throw failure;
    }
    await journal.succeeded(step, outcome.message);
    return outcome.value;
  }

  /** Records a step that has nothing to do, so every step of the sequence shows in the log. */
  async skip(step: DeploymentStep, why: string): Promise<void> {
    await this.options.journal.started(step);
    await this.options.journal.succeeded(step, why);
  }

  /** Reads the node's key and host key policy, then connects; resolves with the policy used. */
  async connect(): Promise<HostKeyPolicy> {
    const { target, limits, signal } = this.options;
    const { privateKey, policy } = await loadCredentials(target);
    this.#session = await SshSession.open({ node: target, privateKey, policy, timeoutMs: limits.connectTimeoutMs, signal });
    return policy;
  }

  get session(): SshSession {
    if (this.#session === undefined) throw new Error('the deployment used its SSH session before connecting');
    return this.#session;
  }

  /** Runs a command; a non-zero exit throws `deployment_failed` with the output tails. */
  async remote(command: string, what: string): Promise<ExecResult> {
    const { limits, signal } = this.options;
    const result = await this.session.exec(command, { timeoutMs: limits.commandTimeoutMs, signal, what });
    if (result.code !== 0) {
      const how = result.code === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.code}`;
      throw new RegistryError('deployment_failed', `${what} ${how}`, { details: { output: describeOutput(result), exitCode: result.code } });
    }
    return result;
  }

  /** Runs a package script of `release` in its folder. */
  script(release: Release, script: string): Promise<ExecResult> {
    return this.remote(scriptCommand(this.layout, script, this.scriptEnv(release)), `${script} of ${this.options.service} ${release.version}`);
  }

  scriptEnv(release: Release): ScriptEnv {
    return {
      service: this.options.service,
      version: release.version,
      deploymentId: this.options.deploymentId,
      ports: release.manifest?.service.ports ?? [],
    };
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }
}
