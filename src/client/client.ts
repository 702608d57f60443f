import type { RawData, WebSocket } from 'ws';
import type { InputOf, OperationByName, OperationName } from '../operations/index.js';
import { type OutputFor, parseAnswer } from './answers.js';
import { decodeFrame } from './frames.js';
import { ConnectionClosedError, ConnectionFailedError } from './errors.js';
import { type ClientOptions, type ResolvedClientOptions, resolveClientOptions } from './options.js';
import { PendingRequests } from './pending.js';
import { createSocket, describeOpenFailure, describeRefusedUpgrade, httpGet } from './transport.js';
import { type MetricFamily, parseMetricsText } from './metrics-text.js';
import { RegistryError, isErrorCode } from '../domain/index.js';
import type { SubscribeOptions } from './event-stream.js';
import { EventStream, type StreamConnection } from './subscription.js';

/** What an operation takes, as the table declares it (before defaults). */
export type InputFor<N extends OperationName> = InputOf<OperationByName<N>>;

/** How long `close()` waits for the server to answer the close handshake before dropping the socket. */
const CLOSE_HANDSHAKE_MS = 2_000;

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const frameText = (data: RawData): string => {
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
};

/**
 * A connection to a registry server speaking the action envelope. Every operation of the
 * table has a typed method; server errors reject as `RegistryError` with the server's code.
 */
export class RegistryClient implements AsyncDisposable {
  readonly url: string;
  /** Resolves once the connection is gone: with nothing after `close()`, else with the reason. Never rejects. */
  readonly closed: Promise<void | Error>;
  private readonly pending = new PendingRequests();
  private readonly opened = deferred<void>();
  private readonly ended = deferred<void | Error>();
  private state: 'connecting' | 'open' | 'closed' = 'connecting';
  private closeRequested = false;
  private closing: Promise<void> | undefined;
  /** Why the connection failed, when it did: the first error wins. */
  private failure: Error | undefined;
  /** Where event frames of this connection go (the EventStream that owns it). */
  private eventListener: ((frame: Readonly<Record<string, unknown>>) => void) | undefined;
  /** Where the final error of a stream the server ended goes. */
  private streamErrorListener: ((error: Error) => void) | undefined;

  /** Opens a connection; rejects with `ConnectionFailedError`, or `RegistryError` when the server refuses the upgrade. */
  static async connect(url: string, options: ClientOptions = {}): Promise<RegistryClient> {
    const resolved = await resolveClientOptions(url, options);
    const client = new RegistryClient(createSocket(resolved), resolved, url, options);
    await client.opened.promise;
    return client;
  }

  private constructor(
    private readonly socket: WebSocket,
    private readonly options: ResolvedClientOptions,
    private readonly givenUrl: string,
    private readonly givenOptions: ClientOptions,
  ) {
    this.url = options.displayUrl;
    this.closed = this.ended.promise;
    this.opened.promise.catch(() => undefined); // connect() reports it; nobody else waits
    socket.on('open', () => {
      this.state = 'open';
      this.opened.resolve();
    });
    socket.on('unexpected-response', (_request, response) => {
      void describeRefusedUpgrade(this.url, response).then((error) => {
        this.fail(error);
        socket.terminate();
      });
    });
    socket.on('error', (error) => this.fail(this.state === 'connecting' ? describeOpenFailure(this.url, error) : error));
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(frameText(data));
    });
    socket.on('close', (code, reason) => this.onClose(code, reason.toString('utf8')));
  }

  /**
   * Sends any operation of the table and answers exactly the wire answer (snake_case, Unix
   * seconds), checked against the operation's output schema. The typed methods below are shorthands.
   */
  async call<N extends OperationName>(op: N, input: InputFor<N>): Promise<OutputFor<N>> {
    return parseAnswer(op, await this.request(op, input));
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

  listServices(input: InputFor<'list_services'> = {}): Promise<OutputFor<'list_services'>> {
    return this.call('list_services', input);
  }

  reload(): Promise<OutputFor<'reload'>> {
    return this.call('reload', {});
  }

  status(): Promise<OutputFor<'status'>> {
    return this.call('status', {});
  }

  /** This host's classified addresses and host id (DESIGN §8). */
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
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.closeRequested = true;
    this.pending.rejectAll((op) => new ConnectionClosedError(`the client closed before '${op}' was answered`));
    if (this.state === 'closed') return;
    this.socket.close(1000, 'client closing');
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_MS);
    await this.closed;
    clearTimeout(timer);
  }

  private request(op: string, input: unknown): Promise<unknown> {
    if (this.state !== 'open' || this.closeRequested) {
      return Promise.reject(new ConnectionClosedError(`cannot send '${op}': the connection is closed`, { cause: this.failure }));
    }
    const { id, answer } = this.pending.add(op, this.options.timeoutMs);
    const frame = JSON.stringify({ id, type: 'request', action: op, params: input ?? {} });
    this.socket.send(frame, (error) => {
      if (error) this.pending.reject(id, new ConnectionClosedError(`could not send '${op}': ${error.message}`, { cause: error }));
    });
    return answer;
  }

  private onMessage(text: string): void {
    const frame = decodeFrame(text);
    switch (frame.type) {
      case 'response':
        if (frame.ok) this.pending.resolve(frame.id, frame.result);
        else this.pending.reject(frame.id, frame.error);
        return;
      case 'event':
        this.eventListener?.(frame.frame);
        return;
      case 'stream_error':
        this.streamErrorListener?.(frame.error);
        return;
      case 'unknown':
        return;
      default: {
        const unreachable: never = frame;
        return unreachable;
      }
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.state === 'connecting') this.opened.reject(this.failure);
  }

  private onClose(code: number, reason: string): void {
    const wasConnecting = this.state === 'connecting';
    this.state = 'closed';
    const said = `code ${code}${reason === '' ? '' : `: ${reason}`}`;
    if (wasConnecting) this.fail(new ConnectionFailedError(this.url, `the connection to ${this.url} closed before it opened (${said})`));
    const why = this.closeRequested ? undefined : (this.failure ?? new ConnectionClosedError(`the server closed the connection (${said})`));
    this.pending.rejectAll(
      (op) => new ConnectionClosedError(`the connection closed before '${op}' was answered (${said})`, { cause: why }),
    );
    this.ended.resolve(why);
  }
}
