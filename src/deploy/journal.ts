import type { Clock, DeploymentFailure, DeploymentRecord, DeploymentStep, DeploymentStepRecord } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** How often upload progress is written to the log while bytes flow. */
export const UPLOAD_PROGRESS_INTERVAL_MS = 500;

type StepStatus = DeploymentStepRecord['status'];

/**
 * Keeps one deployment's record in the store's log: every step change is one write that puts
 * the record and emits a `DeploymentProgress` event, so the log and the event stream agree.
 */
export class DeploymentJournal {
  #record: DeploymentRecord;
  #lastProgressWrite = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    initial: DeploymentRecord,
  ) {
    this.#record = initial;
  }

  get record(): DeploymentRecord {
    return this.#record;
  }

  /** The current step: the last one started. */
  get step(): DeploymentStep | undefined {
    return this.#record.steps.at(-1)?.step;
  }

  /** Notes the release that was current before; written with the next step change. */
  notePrevious(version: string | undefined): void {
    if (version !== undefined) this.#record = { ...this.#record, previousVersion: version };
  }

  /** Stores the new record with a step that already ran before the record existed (verify). */
  open(step: DeploymentStep, startedAt: number, message: string): Promise<void> {
    const entry: DeploymentStepRecord = { step, status: 'succeeded', startedAt, finishedAt: this.clock.now(), message };
    return this.#commit({ ...this.#record, steps: [...this.#record.steps, entry] }, step, 'succeeded', message);
  }

  started(step: DeploymentStep, message?: string): Promise<void> {
    const entry: DeploymentStepRecord = { step, status: 'started', startedAt: this.clock.now(), ...(message === undefined ? {} : { message }) };
    return this.#commit({ ...this.#record, steps: [...this.#record.steps, entry] }, step, 'started', message);
  }

  succeeded(step: DeploymentStep, message?: string): Promise<void> {
    return this.#end(step, 'succeeded', message);
  }

  failed(step: DeploymentStep, message: string): Promise<void> {
    return this.#end(step, 'failed', message);
  }

  /** Upload progress: kept in the record, written at most every UPLOAD_PROGRESS_INTERVAL_MS, no event. */
  async uploaded(bytes: number, total: number): Promise<void> {
    this.#record = { ...this.#record, uploadedBytes: bytes, packageBytes: total };
    const now = this.clock.now();
    if (bytes < total && now - this.#lastProgressWrite < UPLOAD_PROGRESS_INTERVAL_MS) return;
    this.#lastProgressWrite = now;
    const record = this.#record;
    await this.store.write((tx) => tx.deployments.put(record));
  }

  /** The final status; the steps already said why, so this write emits no event. */
  async finish(outcome: { readonly failure?: DeploymentFailure; readonly rolledBackTo?: string }): Promise<DeploymentRecord> {
    const record: DeploymentRecord = {
      ...this.#record,
      status: outcome.failure === undefined ? 'succeeded' : 'failed',
      finishedAt: this.clock.now(),
      ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
      ...(outcome.rolledBackTo === undefined ? {} : { rolledBackTo: outcome.rolledBackTo }),
    };
    this.#record = record;
    await this.store.write((tx) => tx.deployments.put(record));
    return record;
  }

  #end(step: DeploymentStep, status: StepStatus, message: string | undefined): Promise<void> {
    const steps = [...this.#record.steps];
    const index = steps.findLastIndex((s) => s.step === step && s.status === 'started');
    const begun = steps[index];
    const entry: DeploymentStepRecord = {
      step,
      status,
      startedAt: begun?.startedAt ?? this.clock.now(),
      finishedAt: this.clock.now(),
      ...(message === undefined ? {} : { message }),
    };
    if (begun === undefined) steps.push(entry);
    else steps[index] = entry;
    return this.#commit({ ...this.#record, steps }, step, status, message);
  }

  async #commit(record: DeploymentRecord, step: DeploymentStep, status: StepStatus, message: string | undefined): Promise<void> {
    this.#record = record;
    const { id, node, service } = record;
    await this.store.write(async (tx) => {
      await tx.deployments.put(record);
      tx.emit({ type: 'DeploymentProgress', deploymentId: id, node, service, step, status, ...(message === undefined ? {} : { message }) });
    });
  }
}
