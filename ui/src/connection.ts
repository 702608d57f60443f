/**
 * The dashboard's WebSocket to the registry, in the action envelope: requests answered by id,
 * event frames of its subscription, and the end of the connection. The call signatures are the
 * client library's (from the operation table), so the page reads the wire shape every other
 * surface reads. Nothing here trusts a frame: it is parsed, checked for its shape, and handed on.
 */
import type { InputFor, OutputFor } from '../../src/client/index.js';
import type { EventWire } from '../../src/domain/index.js';
import type { OperationName } from '../../src/operations/index.js';

/** An error answer of the server, with its code (`unauthorized`, `resync_required`, …). */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ConnectionHandlers {
  /** An event of a subscription, in order. */
  onEvent(event: EventWire): void;
  /** The subscription ended on the server's side (a revoked or expired token, a slow reader). */
  onStreamEnd(error: ServerError): void;
  /** The socket closed; every pending call has been rejected. */
  onClose(reason: string): void;
}

/** How long a call may wait for its answer. */
const CALL_TIMEOUT_MS = 30_000;

type Frame = Readonly<Record<string, unknown>>;

const isFrame = (value: unknown): value is Frame => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RegistryConnection {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private closedReason: string | undefined;

  private constructor(
    private readonly socket: WebSocket,
    private readonly handlers: ConnectionHandlers,
  ) {
    socket.addEventListener('message', (message) => this.receive(message.data));
    socket.addEventListener('close', (event) => this.closed(event.reason === '' ? `closed (${event.code})` : event.reason));
  }

  /** Opens the socket to `url` (the page's own origin, wss:). */
  static open(url: string, handlers: ConnectionHandlers): Promise<RegistryConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const failed = (): void => reject(new Error(`cannot reach the registry at ${url}`));
      socket.addEventListener('error', failed, { once: true });
      socket.addEventListener(
        'open',
        () => {
          socket.removeEventListener('error', failed);
          resolve(new RegistryConnection(socket, handlers));
        },
        { once: true },
      );
    });
  }

  /** One request; resolves with its result, rejects with ServerError or a lost connection. */
  call<N extends OperationName>(action: N, params: InputFor<N>): Promise<OutputFor<N>> {
    if (this.closedReason !== undefined) return Promise.reject(new Error(this.closedReason));
    const id = `ui-${++this.sequence}`;
    return new Promise<OutputFor<N>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${action}: no answer within ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      // The answer is the wire shape of this operation: the server's output schema checked it.
      this.pending.set(id, { resolve: (value) => resolve(value as OutputFor<N>), reject, timer });
      this.socket.send(JSON.stringify({ id, type: 'request', action, params }));
    });
  }

  close(): void {
    this.socket.close(1000, 'dashboard closed');
  }

  private receive(data: unknown): void {
    let frame: unknown;
    try {
      frame = typeof data === 'string' ? JSON.parse(data) : undefined;
    } catch {
      return;
    }
    if (!isFrame(frame)) return;
    if (frame.type === 'event' && typeof frame.event === 'string' && typeof frame.revision === 'number') {
      // The event frame is the wire event with the subscription's id beside it.
      this.handlers.onEvent(frame as unknown as EventWire);
    } else if (frame.type === 'stream_error') {
      this.handlers.onStreamEnd(errorOf(frame.error));
    } else if (frame.type === 'response' && typeof frame.id === 'string') {
      this.answer(frame.id, frame);
    }
  }

  private answer(id: string, frame: Frame): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (frame.error !== undefined) pending.reject(errorOf(frame.error));
    else pending.resolve(frame.result);
  }

  private closed(reason: string): void {
    this.closedReason = reason;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`connection lost: ${reason}`));
    }
    this.pending.clear();
    this.handlers.onClose(reason);
  }
}

function errorOf(value: unknown): ServerError {
  if (!isFrame(value)) return new ServerError('internal', 'the server answered an error without a body');
  const code = typeof value.code === 'string' ? value.code : 'internal';
  const message = typeof value.message === 'string' ? value.message : code;
  return new ServerError(code, message);
}
