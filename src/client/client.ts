import { randomUUID } from 'node:crypto';
import type { InputOf, OperationByName, OperationName } from '../operations/index.js';
import { type OutputFor, parseAnswer } from './answers.js';
import { type ClientOptions, type ResolvedClientOptions, resolveClientOptions } from './options.js';
import { httpGet } from './transport.js';
import { type MetricFamily, parseMetricsText } from './metrics-text.js';
import { RegistryError, isErrorCode, type ServicePageWire, type ServiceWire } from '../domain/index.js';
import { deferred, Link } from './link.js';
import { callKinds, mayRetry, retryDelay } from './retry.js';
import type { SubscribeOptions } from './event-stream.js';
import { EventStream, type StreamConnection } from './subscription.js';

/** What an operation takes, as the table declares it (before defaults). */
export type InputFor<N extends OperationName> = InputOf<OperationByName<N>>;

/** The filters of `list_services`; the client pages by itself. */
export type ListFilters = Omit<InputFor<'list_services'>, 'limit' | 'cursor'>;
export interface ListPaging {
  /** Services per request. @default DEFAULT_LIST_PAGE_SIZE */
  readonly pageSize?: number;
}
/** Services per page when the client walks a listing. */
export const DEFAULT_LIST_PAGE_SIZE = 1_000;
/** How often `listServices` starts a walk again after its snapshot expired. */
const LIST_RESTARTS = 3;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A connection to a registry server speaking the action envelope. Every operation of the
 * table has a typed method; server errors reject as `RegistryError` with the server's code.
 * A read, or a write (with its request id), whose answer was lost with the connection or that
 * was answered `unavailable` is sent again, on a new connection when the old one is gone
 * (`retries`); the server applies a write once however often it arrives.
 */
export class RegistryClient implements AsyncDisposable {
  readonly url: string;
  /**
   * Resolves once the client is done: with nothing after `close()`, else with the reason its
   * connection ended (when no call was waiting to be sent again on a new one). Never rejects.
   */
  readonly closed: Promise<void | Error>;
  #link: Link;
  readonly #ended = deferred<void | Error>();
  #done = false;
  #closeRequested = false;
  #closing: Promise<void> | undefined;
  /** Calls in flight that may be sent again: while there are, a lost connection is opened again. */
  #retrying = 0;
  #reopening: Promise<boolean> | undefined;
  /** Where event frames of this connection go (the EventStream that owns it). */
  private eventListener: ((frame: Readonly<Record<string, unknown>>) => void) | undefined;
  /** Where the final error of a stream the server ended goes. */
  private streamErrorListener: ((error: Error) => void) | undefined;

  /** Opens a connection; rejects with `ConnectionFailedError`, or `RegistryError` when the server refuses the upgrade. */
  static async connect(url: string, options: ClientOptions = {}): Promise<RegistryClient> {
    const resolved = await resolveClientOptions(url, options);
    const client = new RegistryClient(resolved, url, options);
    await client.#link.opened;
    return client;
  }

  private constructor(
    private readonly options: ResolvedClientOptions,
    private readonly givenUrl: string,
    private readonly givenOptions: ClientOptions,
  ) {
    this.url = options.displayUrl;
    this.closed = this.#ended.promise;
    this.#link = this.#open();
  }

  /**
   * Sends any operation of the table and answers exactly the wire answer (snake_case, Unix
   * seconds), checked against the operation's output schema. The typed methods below are shorthands.
   */
  async call<N extends OperationName>(op: N, input: InputFor<N>): Promise<OutputFor<N>> {
    const kind = callKinds[op];
    if (kind === 'other') return parseAnswer(op, await this.request(op, input));
    const params = this.#withDefaults(kind, input);
    this.#retrying += 1;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return parseAnswer(op, await this.request(op, params));
        } catch (error) {
          if (attempt >= this.options.retries || !mayRetry(kind, error) || this.#done || this.#closeRequested) throw error;
          await sleep(retryDelay(attempt));
          if (!this.#link.isOpen && !(await this.#reopening)) throw error;
        }
      }
    } finally {
      this.#retrying -= 1;
    }
  }

  /**
   * Sends any action, known to this client or not (an alias, a newer server's operation), and
   * answers the result exactly as the server sent it, unchecked: for tools that poke at the API
   * (`registry call`). An answer without a result is `null`. Server errors reject as
   * `RegistryError`, as with `call`.
   */
  async callRaw(action: string, params: Readonly<Record<string, unknown>> = {}): Promise<unknown> {
    return (await this.request(action, params)) ?? null;
  }

  /** A write gets one request id for every attempt (the server answers a retry with the first outcome); a read, the client's consistency. */
  #withDefaults(kind: 'read' | 'write', input: object): object {
    if (kind === 'write') return this.options.retries > 0 && Reflect.get(input, 'request_id') == null ? { ...input, request_id: randomUUID() } : input;
    return this.options.consistency === 'stale' && Reflect.get(input, 'consistency') == null ? { ...input, consistency: 'stale' } : input;
  }

  register(input: InputFor<'register'>): Promise<OutputFor<'register'>> {
    return this.call('register', input);
  }

  update(input: InputFor<'update'>): Promise<OutputFor<'update'>> {
    return this.call('update', input);
  }

  deregister(input: InputFor<'deregister'>): Promise<OutputFor<'deregister'>> {
    return this.call('deregister', input);
  }

  ping(input: InputFor<'ping'>): Promise<OutputFor<'ping'>> {
    return this.call('ping', input);
  }

  getService(input: InputFor<'get_service'>): Promise<OutputFor<'get_service'>> {
    return this.call('get_service', input);
  }

  /**
   * Every service the filters keep, read a page at a time (`pageSize`, default
   * DEFAULT_LIST_PAGE_SIZE) from one revision-stable snapshot of the server. A snapshot that
   * expires during the walk (`cursor_expired`) makes it start over, up to LIST_RESTARTS times.
   */
  async listServices(input: ListFilters = {}, options: ListPaging = {}): Promise<readonly ServiceWire[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const all: ServiceWire[] = [];
        for await (const page of this.listServicePages(input, options)) all.push(...page.services);
        return all;
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === 'cursor_expired' && attempt < LIST_RESTARTS)) throw error;
      }
    }
  }

  /** The pages of one listing, all of the revision its first page was read at (`revision` of each page). */
  async *listServicePages(input: ListFilters = {}, options: ListPaging = {}): AsyncGenerator<ServicePageWire, void, undefined> {
    const limit = options.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
    let cursor: string | undefined;
    do {
      const answer = await this.call('list_services', { ...input, limit, ...(cursor === undefined ? {} : { cursor }) });
      // A page is what a limit answers; a whole list would be one last page.
      const page = Array.isArray(answer) ? { services: answer, next_cursor: null, revision: -1 } : answer;
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  reload(): Promise<OutputFor<'reload'>> {
    return this.call('reload', {});
  }

  status(): Promise<OutputFor<'status'>> {
    return this.call('status', {});
  }

  /** This host's classified addresses and host id (README "Topology and resolution"). */
  getTopology(): Promise<OutputFor<'get_topology'>> {
    return this.call('get_topology', {});
  }

  /** The address of a service endpoint this connection can reach, with the network and the reason. */
  resolve(input: InputFor<'resolve'>): Promise<OutputFor<'resolve'>> {
    return this.call('resolve', input);
  }

  listEndpoints(input: InputFor<'list_endpoints'> = {}): Promise<OutputFor<'list_endpoints'>> {
    return this.call('list_endpoints', input);
  }

  /** The configured IP networks with their capacity and use. */
  listNetworks(): Promise<OutputFor<'list_networks'>> {
    return this.call('list_networks', {});
  }

  /** An address in a network for an owner: the given `ip`, or the next free one; idempotent per owner. */
  allocateIp(input: InputFor<'allocate_ip'>): Promise<OutputFor<'allocate_ip'>> {
    return this.call('allocate_ip', input);
  }

  /** Gives an address back, named by `owner` or by `ip`. */
  releaseIp(input: InputFor<'release_ip'>): Promise<OutputFor<'release_ip'>> {
    return this.call('release_ip', input);
  }

  listAllocations(input: InputFor<'list_allocations'> = {}): Promise<OutputFor<'list_allocations'>> {
    return this.call('list_allocations', input);
  }

  /** `<NAME>_ADDR=host:port` lines resolved for this connection. */
  env(input: InputFor<'env'> = {}): Promise<OutputFor<'env'>> {
    return this.call('env', input);
  }

  /** Adds a health check to a service, or replaces the one of that name. */
  addCheck(input: InputFor<'add_check'>): Promise<OutputFor<'add_check'>> {
    return this.call('add_check', input);
  }

  removeCheck(input: InputFor<'remove_check'>): Promise<OutputFor<'remove_check'>> {
    return this.call('remove_check', input);
  }

  /** The checks of one service (or of all) with their status and last output; a TTL shows as check `ttl`. */
  listChecks(input: InputFor<'list_checks'> = {}): Promise<OutputFor<'list_checks'>> {
    return this.call('list_checks', input);
  }

  /** One service's health: the worst of its TTL and checks, and whether discovery serves it. */
  getHealth(input: InputFor<'get_health'>): Promise<OutputFor<'get_health'>> {
    return this.call('get_health', input);
  }

  /**
   * Events as an AsyncIterable on a connection of its own, which reconnects and resumes from the
   * last revision by itself. Leaving the `for await` loop (or `close()`) ends the subscription.
   */
  subscribe(options: SubscribeOptions = {}): EventStream {
    const connect = async (): Promise<StreamConnection> => {
      const connection = await RegistryClient.connect(this.givenUrl, this.givenOptions);
      return {
        subscribe: async (params, onEvent, onEnded) => {
          connection.eventListener = onEvent;
          connection.streamErrorListener = onEnded;
          await connection.request('subscribe', params);
        },
        closed: connection.closed,
        close: () => connection.close(),
      };
    };
    return new EventStream(connect, options);
  }

  /**
   * Scrapes the server's `/metrics` (on the same port, with this client's trust and token) and
   * reads it strictly: the metric families by name. A refusal rejects as `RegistryError`.
   */
  async metrics(): Promise<ReadonlyMap<string, MetricFamily>> {
    const { status, body } = await httpGet(this.options, '/metrics');
    if (status === 200) return parseMetricsText(body);
    let error: unknown;
    try {
      error = (JSON.parse(body) as { error?: unknown }).error;
    } catch {
      error = undefined;
    }
    const code = typeof error === 'object' && error !== null && 'code' in error && isErrorCode(error.code) ? error.code : 'unavailable';
    const message = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : `GET /metrics answered HTTP ${status}`;
    throw new RegistryError(code, message, { details: { status } });
  }

  /** Ends the connection; pending requests reject with `ConnectionClosedError`. A second call waits for the first. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    this.#closeRequested = true;
    await this.#reopening;
    await this.#link.close();
    this.#finish(undefined);
  }

  private request(op: string, input: unknown): Promise<unknown> {
    return this.#link.request(op, input);
  }

  #open(): Link {
    const link = new Link(this.options, {
      event: (frame) => this.eventListener?.(frame),
      streamError: (error) => this.streamErrorListener?.(error),
    });
    void link.ended.then((reason) => this.#linkEnded(link, reason));
    return link;
  }

  /** The connection is gone: open another while calls wait to be sent again, else the client is done. */
  #linkEnded(link: Link, reason: Error | undefined): void {
    if (link !== this.#link) return;
    if (reason === undefined || this.#closeRequested || this.#retrying === 0) {
      this.#finish(reason);
      return;
    }
    this.#reopening = this.#reopen(reason).finally(() => (this.#reopening = undefined));
  }

  /** Up to `retries` attempts at a new connection; true once one is open. */
  async #reopen(reason: Error): Promise<boolean> {
    for (let attempt = 0; attempt < this.options.retries && !this.#closeRequested; attempt++) {
      await sleep(retryDelay(attempt));
      const link = this.#open();
      this.#link = link;
      try {
        await link.opened;
        return true;
      } catch {
        // Its `ended` comes next and is ignored while this loop runs (it owns the outcome).
      }
    }
    this.#finish(reason);
    return false;
  }

  #finish(reason: Error | undefined): void {
    this.#done = true;
    this.#ended.resolve(reason);
  }
}
