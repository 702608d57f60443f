import type { RawData, WebSocket } from 'ws';
import { decodeFrame } from './frames.js';
import { ConnectionClosedError, ConnectionFailedError } from './errors.js';
import type { ResolvedClientOptions } from './options.js';
import { PendingRequests } from './pending.js';
import { createSocket, describeOpenFailure, describeRefusedUpgrade } from './transport.js';

/** How long `close()` waits for the server to answer the close handshake before dropping the socket. */
const CLOSE_HANDSHAKE_MS = 2_000;

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

export function deferred<T>(): Deferred<T> {
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

/** Where a link's frames that are not answers go. */
export interface LinkListeners {
  event(frame: Readonly<Record<string, unknown>>): void;
  /** The server ended a subscription of this connection, saying why. */
  streamError(error: Error): void;
}

/**
 * One WebSocket connection speaking the action envelope: requests by id, each answered or failed
 * once, events handed on. `ended` resolves once the socket is gone: with nothing after `close()`,
 * else with the reason.
 */
export class Link {
  readonly opened: Promise<void>;
  readonly ended: Promise<Error | undefined>;
  readonly #socket: WebSocket;
  readonly #pending = new PendingRequests();
  readonly #open = deferred<void>();
  readonly #ended = deferred<Error | undefined>();
  #state: 'connecting' | 'open' | 'closed' = 'connecting';
  #closeRequested = false;
  #closing: Promise<void> | undefined;
  #failure: Error | undefined;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly listeners: LinkListeners,
  ) {
    this.opened = this.#open.promise;
    this.ended = this.#ended.promise;
    this.opened.catch(() => undefined); // the owner awaits it; nobody else does
    const socket = createSocket(options);
    this.#socket = socket;
    const url = options.displayUrl;
    socket.on('open', () => {
      this.#state = 'open';
      this.#open.resolve();
    });
    socket.on('unexpected-response', (_request, response) => {
      void describeRefusedUpgrade(url, response).then((error) => {
        this.#fail(error);
        socket.terminate();
      });
    });
    socket.on('error', (error) => this.#fail(this.#state === 'connecting' ? describeOpenFailure(url, error) : error));
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.#onMessage(frameText(data));
    });
    socket.on('close', (code, reason) => this.#onClose(code, reason.toString('utf8')));
  }

  get isOpen(): boolean {
    return this.#state === 'open' && !this.#closeRequested;
  }

  request(op: string, input: unknown): Promise<unknown> {
    if (!this.isOpen) {
      return Promise.reject(new ConnectionClosedError(`cannot send '${op}': the connection is closed`, { cause: this.#failure }));
    }
    const { id, answer } = this.#pending.add(op, this.options.timeoutMs);
    const frame = JSON.stringify({ id, type: 'request', action: op, params: input ?? {} });
    this.#socket.send(frame, (error) => {
      if (error) this.#pending.reject(id, new ConnectionClosedError(`could not send '${op}': ${error.message}`, { cause: error }));
    });
    return answer;
  }

  /** Ends the connection; pending requests reject with `ConnectionClosedError`. A second call waits for the first. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closeRequested = true;
    this.#pending.rejectAll((op) => new ConnectionClosedError(`the client closed before '${op}' was answered`));
    if (this.#state === 'closed') return;
    this.#socket.close(1000, 'client closing');
    const timer = setTimeout(() => this.#socket.terminate(), CLOSE_HANDSHAKE_MS);
    await this.ended;
    clearTimeout(timer);
  }

  #onMessage(text: string): void {
    const frame = decodeFrame(text);
    switch (frame.type) {
      case 'response':
        if (frame.ok) this.#pending.resolve(frame.id, frame.result);
        else this.#pending.reject(frame.id, frame.error);
        return;
      case 'event':
        this.listeners.event(frame.frame);
        return;
      case 'events':
        for (const event of frame.frames) this.listeners.event(event);
        return;
      case 'stream_error':
        this.listeners.streamError(frame.error);
        return;
      case 'unknown':
        return;
      default: {
        const unreachable: never = frame;
        return unreachable;
      }
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    if (this.#state === 'connecting') this.#open.reject(this.#failure);
  }

  #onClose(code: number, reason: string): void {
    const url = this.options.displayUrl;
    const wasConnecting = this.#state === 'connecting';
    this.#state = 'closed';
    const said = `code ${code}${reason === '' ? '' : `: ${reason}`}`;
    if (wasConnecting) this.#fail(new ConnectionFailedError(url, `the connection to ${url} closed before it opened (${said})`));
    const why = this.#closeRequested ? undefined : (this.#failure ?? new ConnectionClosedError(`the server closed the connection (${said})`));
    this.#pending.rejectAll(
      (op) => new ConnectionClosedError(`the connection closed before '${op}' was answered (${said})`, { cause: why }),
    );
    this.#ended.resolve(why);
  }
}
