import { randomUUID } from 'node:crypto';
import { type Clock, RegistryError } from '../domain/index.js';
import {
  type AnyOperation,
  buildOperationIndex,
  type ConfigReloader,
  dispatch,
  type ConnectionInfo,
  type OperationContext,
  type Principal,
  type RuntimeServices,
  type StreamHost,
} from '../operations/index.js';
import type { Call, Outcome } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';

export interface RunnerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: ConfigReloader;
  readonly logger: Logger;
  readonly runtime: RuntimeServices;
}

/** Who calls and from where: fixed per connection. */
export interface Caller {
  readonly principal: Principal;
  readonly connection: ConnectionInfo;
}

/** Runs decoded calls against the operation table; every failure becomes an Outcome, never a throw. */
export class Runner {
  private readonly index: ReadonlyMap<string, AnyOperation> = buildOperationIndex();
  private readonly startedAt: number;

  constructor(private readonly deps: RunnerDeps) {
    this.startedAt = deps.clock.now();
  }

  async run(call: Call, caller: Caller, streams: StreamHost): Promise<Outcome> {
    try {
      const op = this.index.get(call.op);
      if (op === undefined) {
        throw new RegistryError('unknown_operation', `method '${call.method}' not found`, { details: { method: call.method } });
      }
      const value = await dispatch(op, call.input, this.context(caller, streams));
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: this.asRegistryError(error, call) };
    }
  }

  private context(caller: Caller, streams: StreamHost): OperationContext {
    const { store, clock, config, runtime } = this.deps;
    return { store, clock, config, runtime, ...caller, streams, newId: randomUUID, startedAt: this.startedAt };
  }

  /** Anything that is not a RegistryError is a bug: logged in full, sent as `internal` with a request id. */
  private asRegistryError(error: unknown, call: Call): RegistryError {
    if (error instanceof RegistryError) return error;
    const requestId = randomUUID();
    this.deps.logger.error({ err: error, requestId, method: call.method }, 'operation failed unexpectedly');
    return new RegistryError('internal', `internal error (request ${requestId})`, { details: { request_id: requestId } });
  }
}
