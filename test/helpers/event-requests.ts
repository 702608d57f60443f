/** Event-stream requests over a raw socket (action envelope): registrations that make events, and `subscribe`. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { openRawSocket, type RawSocket } from './raw-socket.js';
import { startTestServer, type TestServer } from './test-server.js';

type Obj = Record<string, unknown>;

/** Sends `count` register_service requests on one socket, all before any answer is read, and waits for every answer. */
export async function registerMany(ws: RawSocket, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    ws.send({ id: `${prefix}-${i}`, type: 'request', action: 'register_service', params: { name: `${prefix}-${i}`, host: '10.1.0.1', port: 8000 + (i % 1000) } });
  }
  const answers = await ws.take(count, 20_000);
  assert.ok(answers.every((a) => a.result !== undefined), 'every registration succeeds');
}

/** Sends `subscribe` and returns its answer's result (`{subscription, revision}`); fails on an error answer. */
export async function subscribe(ws: RawSocket, params: Obj): Promise<Obj> {
  ws.send({ id: 'sub', type: 'request', action: 'subscribe', params });
  const answer = await ws.next();
  assert.equal(answer.id, 'sub');
  assert.equal(answer.error, undefined, JSON.stringify(answer.error));
  return answer.result as Obj;
}

/** The name of the service an event's data carries. */
export const serviceName = (event: Obj): string => String(((event.data as Obj).service as Obj).name);

/** A test server and one raw socket to it, opened before the suite's tests and closed after them. */
export interface ServerAndSocket {
  readonly srv: TestServer;
  readonly socket: RawSocket;
}

/** Registers the suite's hooks; the fields read the server and socket once `before` has run. */
export function serverWithSocket(): ServerAndSocket {
  let srv: TestServer | undefined;
  let socket: RawSocket | undefined;
  before(async () => {
    srv = await startTestServer();
    socket = await openRawSocket(srv.url, srv.caPem);
  });
  after(async () => {
    await socket?.close();
    await srv?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the suite has not started: read these fields inside a test');
    return value;
  };
  return {
    get srv() {
      return started(srv);
    },
    get socket() {
      return started(socket);
    },
  };
}
