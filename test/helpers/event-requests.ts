/** Event-stream requests over a raw socket (action envelope): registrations that make events, and `subscribe`. */
import assert from 'node:assert/strict';
import type { RawSocket } from './raw-socket.js';

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
