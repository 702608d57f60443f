import { randomUUID } from 'node:crypto';
import { type Clock, echoed, RegistryError } from '../domain/index.js';
import {
  type AnyOperation,
  buildOperationIndex,
  type ConfigReloader,
  dispatch,
  type HandlerOutputs,
  type ConnectionInfo,
  type CredentialHost,
  isOperationName,
  type OperationContext,
  type OperationName,
  type Principal,
  type RuntimeServices,
  type StreamHost,
  typedOperations,
} from '../operations/index.js';
import { type Answer, answerOf, type Call, type Outcome } from '../protocol/index.js';
import type { Store } from '../store/index.js';
import type { RegistryMetrics } from '../metrics/index.js';
import type { Logger } from './log.js';

export interface RunnerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: ConfigReloader;
  readonly logger: Logger;
  readonly runtime: RuntimeServices;
  /** Counts each request by operation, dialect and outcome, with its latency. */
  readonly metrics?: RegistryMetrics;
}

/** The streams of a caller that has no connection to carry them (DNS): subscribing is refused. */
export const NO_STREAMS: StreamHost = {
  held: 0,
  // No limit to reach: `open` refuses every stream.
  limit: Number.POSITIVE_INFINITY,
  open: () => {
    throw new RegistryError('unavailable', 'this caller has no connection to carry an event stream');
  },
  close: () => false,
};

/** The operation label of a request that named no operation of the table: callers' names never become labels. */
const UNKNOWN_OPERATION = 'unknown';

/**
 * Where the sources run (the tests, `npm run dev`), every answer is checked against its
 * operation's output schema, so an encoder that drifts from the schema clients parse with fails
 * loudly there; the compiled package skips the cost.
 */
const CHECK_ANSWERS = import.meta.url.endsWith('.ts');

/** An answer that breaks its own schema is a bug in this server: it leaves as `internal`, and is logged. */
export function checkAnswer(op: AnyOperation, answer: Answer): void {
  const parsed = op.output.safeParse(answer.result);
  if (parsed.success) return;
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`);
  throw new Error(`the answer of '${op.name}' does not match its output schema: ${issues.join('; ')}`);
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

  /** `credentials` lets `authenticate` raise the role of the caller's connection. */
  async run(call: Call, caller: Caller, streams: StreamHost, credentials?: CredentialHost): Promise<Outcome> {
    const started = performance.now();
    let name: OperationName | undefined;
    try {
      name = this.find(call.op, call.method);
      const value = await this.answer(name, call.input, this.context(caller, streams, credentials));
      this.deps.metrics?.request(name, call.dialect, 'ok', (performance.now() - started) / 1000);
      return { ok: true, value };
    } catch (error) {
      const failure = this.asRegistryError(error, call.method);
      if (failure.code === 'unauthorized' || failure.code === 'forbidden') this.logDenial(failure, call, caller);
      this.deps.metrics?.request(name ?? UNKNOWN_OPERATION, call.dialect, failure.code, (performance.now() - started) / 1000);
      return { ok: false, error: failure };
    }
  }

  /** A request a connection's limits refused before it ran (`rate_limited`, `limit_exceeded`): counted like the others. */
  refused(call: Call, error: RegistryError): void {
    this.deps.metrics?.request(this.index.get(call.op)?.name ?? UNKNOWN_OPERATION, call.dialect, error.code, 0);
  }

  /**
   * Runs one operation for a surface without a WebSocket session (DNS): the same table, role check
   * and input parse as every dialect. Returns the handler's value; a failure throws its RegistryError.
   * `surface` names it in the request metrics.
   */
  async call<N extends OperationName>(op: N, input: unknown, caller: Caller, surface?: string): Promise<HandlerOutputs[N]> {
    const started = performance.now();
    try {
      const value = await dispatch(typedOperations[op], input, this.context(caller, NO_STREAMS, undefined));
      if (surface !== undefined) this.deps.metrics?.request(op, surface, 'ok', (performance.now() - started) / 1000);
      return value;
    } catch (error) {
      const failure = this.asRegistryError(error, op);
      if (surface !== undefined) this.deps.metrics?.request(op, surface, failure.code, (performance.now() - started) / 1000);
      throw failure;
    }
  }

  /** The operation `op` names (an alias resolves to its operation), or `unknown_operation` naming the method the caller used. */
  private find(op: string, method: string): OperationName {
    const found = this.index.get(op)?.name;
    if (found !== undefined && isOperationName(found)) return found;
    const named = echoed(method);
    throw new RegistryError('unknown_operation', `method '${named}' not found`, { details: { method: named } });
  }

  /** Runs one operation and encodes its value as its wire answer, the name keeping both typed together. */
  private async answer<N extends OperationName>(name: N, input: unknown, ctx: OperationContext): Promise<Answer> {
    const op = typedOperations[name];
    const answer = answerOf(name, await dispatch(op, input, ctx), this.deps.clock.now());
    if (CHECK_ANSWERS) checkAnswer(op, answer);
    return answer;
  }

  private context(caller: Caller, streams: StreamHost, credentials: CredentialHost | undefined): OperationContext {
    const { store, clock, config, runtime } = this.deps;
    const base = { store, clock, config, runtime, ...caller, streams, newId: randomUUID, startedAt: this.startedAt };
    // `credentials` first: a literal that starts with a spread and adds keys costs a fresh map per call (docs/ARCHITECTURE.md, "Hot paths").
    return credentials === undefined ? base : { credentials, ...base };
  }

  /** Who was refused what, and why; never the params (they may hold a token). */
  private logDenial(error: RegistryError, call: Call, caller: Caller): void {
    const { role, via, remoteAddress } = caller.principal;
    this.deps.logger.warn({ code: error.code, operation: call.op, method: call.method, dialect: call.dialect, role, via, remoteAddress }, 'request denied');
  }

  /** Anything that is not a RegistryError is a bug: logged in full, sent as `internal` with a request id. */
  private asRegistryError(error: unknown, method: string): RegistryError {
    if (error instanceof RegistryError) return error;
    const requestId = randomUUID();
    this.deps.logger.error({ err: error, requestId, method }, 'operation failed unexpectedly');
    return new RegistryError('internal', `internal error (request ${requestId})`, { details: { request_id: requestId } });
  }
}
