import assert from 'node:assert/strict';
import { openRawSocket, type RawSocket } from './raw-socket.js';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.js';

type Obj = Record<string, unknown>;

/** A test server and one raw socket on it, with a call helper per dialect that checks the answer's id. */
export interface WireSession {
  readonly srv: TestServer;
  readonly ws: RawSocket;
  /** A JSON-RPC `method` call: its `result`. */
  rpc(method: string, params?: Obj): Promise<Obj>;
  /** An action-envelope request that must succeed: its `result`. */
  request(action: string, params?: Obj): Promise<Obj>;
  close(): Promise<void>;
}

export async function openWireSession(options: TestServerOptions = {}): Promise<WireSession> {
  const srv = await startTestServer(options);
  const ws = await openRawSocket(srv.url, srv.caPem);
  let n = 0;
  return {
    srv,
    ws,
    rpc: async (method, params = {}) => {
      const id = ++n;
      ws.send({ jsonrpc: '2.0', id, method, params });
      const answer = await ws.next();
      assert.equal(answer.id, id);
      return answer.result as Obj;
    },
    request: async (action, params = {}) => {
      const id = `r${++n}`;
      ws.send({ id, type: 'request', action, params });
      const answer = await ws.next();
      assert.equal(answer.id, id);
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      return answer.result as Obj;
    },
    close: async () => {
      await ws.close();
      await srv.close();
    },
  };
}
