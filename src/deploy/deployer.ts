import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Clock, type DeploymentRecord, type NodeDefinition, RegistryError, systemClock } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { FlowOutcome } from './flows.js';
import { deployFlow, rollbackFlow } from './flows.js';
import { DeploymentJournal } from './journal.js';
import { buildPackage } from './package-build.js';
import { type VerifiedPackage, verifyPackage } from './package-read.js';
import { markServiceFailed } from './register.js';
import { type DeployLimits, Run } from './run.js';
import { findTarget, releaseHistory, type Target } from './target.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
export const DEFAULT_UPLOAD_TIMEOUT_MS = 600_000;

export interface DeployerOptions {
  readonly store: Store;
  /** The configured nodes as they are now (the configuration may be reloaded). */
  readonly nodes: () => readonly NodeDefinition[];
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default randomUUID */
  readonly newId?: () => string;
  /** @default DEFAULT_CONNECT_TIMEOUT_MS */
  readonly connectTimeoutMs?: number;
  /** Each remote command and package script. @default DEFAULT_COMMAND_TIMEOUT_MS */
  readonly commandTimeoutMs?: number;
  /** @default DEFAULT_UPLOAD_TIMEOUT_MS */
  readonly uploadTimeoutMs?: number;
  /** Where a package given as a folder is built before it is verified. @default os.tmpdir() */
  readonly workDir?: string;
  /** This server's id among the members of its store, kept in the records it runs. @default a new uuid */
  readonly serverId?: string;
}

export interface DeployRequest {
  /** A `.tar.gz` package or a package folder, on this host. */
  readonly packagePath: string;
  readonly node: string;
  /** Chosen by the caller so it can follow the deployment while it runs; a fresh uuid otherwise. */
  readonly deploymentId?: string;
}

export interface RollbackRequest {
  readonly node: string;
  readonly service: string;
  readonly deploymentId?: string;
}

type Flow = (run: Run, journal: DeploymentJournal) => Promise<FlowOutcome>;

interface Active {
  readonly id: string;
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

/**
 * Deploys packages to `[[node]]`s over SSH and rolls them back. One deployment per (node,
 * service) at a time, whichever server of a cluster runs it: the lock is the deployment's
 * running record, written only when none runs. `close()` aborts those running here and waits
 * for them to record their end.
 */
export class SshDeployer implements AsyncDisposable {
  readonly closed: Promise<void | Error>;
  readonly #options: DeployerOptions;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #serverId: string;
  readonly #limits: DeployLimits;
  readonly #active = new Map<string, Active>();
  /** Deployments whose record is being written: they run here from the moment it commits. */
  readonly #claiming = new Set<string>();
  #closing: Promise<void> | undefined;
  #markClosed: (reason: void | Error) => void = () => undefined;

  constructor(options: DeployerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#newId = options.newId ?? randomUUID;
    this.#serverId = options.serverId ?? randomUUID();
    this.#limits = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      uploadTimeoutMs: options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
    };
    this.closed = new Promise((resolveClosed) => {
      this.#markClosed = resolveClosed;
    });
  }

  /** Verifies, deploys and registers a package; resolves with the final record, or throws why it failed. */
  async deploy(request: DeployRequest): Promise<DeploymentRecord> {
    this.#assertOpen();
    const target = findTarget(this.#options.nodes(), request.node);
    const verifyStartedAt = this.#clock.now();
    const { pkg, cleanup } = await this.#package(request.packagePath);
    try {
      const { manifest } = pkg;
      const initial = { ...this.#newRecord(request.deploymentId, target, manifest.name, manifest.version, 'deploy'), packageBytes: pkg.bytes };
      return await this.#exclusive(initial, target, async (run, journal) => {
        await journal.open('verify', verifyStartedAt, `${pkg.files.length} files checked, package sha256 ${pkg.sha256}`);
        return deployFlow(run, pkg);
      });
    } finally {
      await cleanup();
    }
  }

  /** Goes back to the release that was current before the current one, as the deployment log tells. */
  async rollback(request: RollbackRequest): Promise<DeploymentRecord> {
    this.#assertOpen();
    const target = findTarget(this.#options.nodes(), request.node);
    const history = releaseHistory(this.#options.store.deployments.list(), target.name, request.service);
    const version = history.at(-2);
    if (version === undefined) {
      throw new RegistryError('not_found', `the deployment log knows no release of '${request.service}' on node '${target.name}' before the current one`, {
        details: { node: target.name, service: request.service, known: history },
      });
    }
    const initial = this.#newRecord(request.deploymentId, target, request.service, version, 'rollback');
    const current = history.at(-1);
    return this.#exclusive({ ...initial, ...(current === undefined ? {} : { previousVersion: current }) }, target, (run) => rollbackFlow(run, version));
  }

  /** True while this deployer runs the deployment (its record's lock is held here). */
  runs(id: string): boolean {
    return this.#active.has(id) || this.#claiming.has(id);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const running = [...this.#active.values()];
      for (const active of running) active.controller.abort(new Error('the registry is shutting down'));
      await Promise.allSettled(running.map((active) => active.done));
      this.#markClosed();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new RegistryError('unavailable', 'the deployer is shutting down');
  }

  async #package(path: string): Promise<{ pkg: VerifiedPackage; cleanup: () => Promise<void> }> {
    const absolute = resolve(path);
    const info = await stat(absolute).catch((cause: unknown) => {
      throw new RegistryError('package_invalid', `package ${absolute} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
        details: { package: absolute },
      });
    });
    if (!info.isDirectory()) return { pkg: await verifyPackage(absolute), cleanup: async () => undefined };
    const dir = await mkdtemp(join(this.#options.workDir ?? tmpdir(), 'registry-deploy-'));
    const cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      return { pkg: await buildPackage(absolute, dir), cleanup };
    } catch (error) {
      await cleanup();
      throw error;
    }
  }

  #newRecord(id: string | undefined, target: Target, service: string, version: string, kind: DeploymentRecord['kind']): DeploymentRecord {
    const deploymentId = id ?? this.#newId();
    if (this.#options.store.deployments.get(deploymentId) !== undefined) throw idUsed(deploymentId);
    return { id: deploymentId, kind, node: target.name, service, version, status: 'running', startedAt: this.#clock.now(), steps: [], server: this.#serverId };
  }

  /** Takes the (node, service) lock: writes the running record, unless another deployment of it runs (on any server). */
  async #claim(initial: DeploymentRecord): Promise<void> {
    await this.#options.store.write(async (tx) => {
      const same = (r: DeploymentRecord): boolean => r.status === 'running' && r.node === initial.node && r.service === initial.service;
      const busy = (await tx.deployments.list()).find((r) => same(r) && r.id !== initial.id);
      if (busy !== undefined) {
        throw new RegistryError('deployment_in_progress', `deployment ${busy.id} of '${initial.service}' to node '${initial.node}' is still running`, {
          details: { node: initial.node, service: initial.service, deployment_id: busy.id, ...(busy.server === undefined ? {} : { server: busy.server }) },
        });
      }
      if ((await tx.deployments.get(initial.id)) !== undefined) throw idUsed(initial.id);
      await tx.deployments.put(initial);
    });
  }

  /** Holds the (node, service) lock while `flow` runs, then records the end and answers. */
  async #exclusive(initial: DeploymentRecord, target: Target, flow: Flow): Promise<DeploymentRecord> {
    this.#claiming.add(initial.id);
    try {
      await this.#claim(initial);
    } finally {
      this.#claiming.delete(initial.id);
    }
    const controller = new AbortController();
    const work = this.#run(initial, target, controller.signal, flow);
    this.#active.set(initial.id, { id: initial.id, controller, done: work.catch(() => undefined) });
    try {
      return await work;
    } finally {
      this.#active.delete(initial.id);
    }
  }

  async #run(initial: DeploymentRecord, target: Target, signal: AbortSignal, flow: Flow): Promise<DeploymentRecord> {
    const { store } = this.#options;
    const journal = new DeploymentJournal(store, this.#clock, initial);
    const run = new Run({ store, clock: this.#clock, newId: this.#newId, journal, target, service: initial.service, deploymentId: initial.id, signal, limits: this.#limits });
    let outcome: FlowOutcome;
    try {
      outcome = await flow(run, journal);
    } finally {
      await run.close();
    }
    if (outcome.ok) return journal.finish({});
    const { failure, rolledBackTo, rollbackFailure } = outcome;
    const also = rollbackFailure === undefined ? '' : `; the rollback failed too: ${rollbackFailure.message}`;
    const record = await journal.finish({
      failure: { step: failure.step, code: failure.error.code, message: `${failure.message}${also}`, ...(failure.output === undefined ? {} : { output: failure.output }) },
      ...(rolledBackTo === undefined ? {} : { rolledBackTo }),
    });
    if (rollbackFailure !== undefined) await markServiceFailed(store, initial.service, this.#clock.now());
    throw failedError(record, failure.error.code);
  }
}

const idUsed = (id: string): RegistryError =>
  new RegistryError('invalid_params', `invalid params: deployment_id: '${id}' is already used`, {
    details: { fields: [{ path: 'deployment_id', message: 'is already used' }] },
  });

/** The error a failed deployment answers: its own code when it is specific (host key), else deployment_failed. */
function failedError(record: DeploymentRecord, code: RegistryError['code']): RegistryError {
  const failure = record.failure;
  const kept = code === 'host_key_mismatch' || code === 'unavailable' || code === 'config_invalid' ? code : 'deployment_failed';
  const what = record.kind === 'deploy' ? `deployment of ${record.service} ${record.version}` : `rollback of ${record.service} to ${record.version}`;
  const back = record.rolledBackTo === undefined ? '' : `; rolled back to ${record.rolledBackTo}`;
  return new RegistryError(kept, `${what} to node '${record.node}' failed at step '${failure?.step ?? 'unknown'}': ${failure?.message ?? 'unknown'}${back}`, {
    details: {
      deployment_id: record.id,
      step: failure?.step,
      ...(record.rolledBackTo === undefined ? {} : { rolled_back_to: record.rolledBackTo }),
      ...(failure?.output === undefined ? {} : { output: failure.output }),
    },
  });
}
