import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

describe('topology after a configuration reload', () => {
  it('classifies with the networks of the new configuration without a restart', async () => {
    const srv = await startTestServer();
    const ws = await openRawSocket(srv.url, srv.caPem);
    try {
      ws.send({ id: 't0', type: 'request', action: 'get_topology', params: {} });
      assert.deepEqual(((await ws.next()).result as Obj).networks, []);
      await writeFile(srv.configPath, '[[network]]\nname = "office"\nkind = "lan"\ncidr = "192.168.1.0/24"\n');
      ws.send({ id: 'r', type: 'request', action: 'reload', params: {} });
      assert.equal((await ws.next()).error, undefined);
      ws.send({ id: 't1', type: 'request', action: 'get_topology', params: {} });
      const networks = ((await ws.next()).result as Obj).networks as Obj[];
      assert.deepEqual(networks.map((n) => n.cidr), ['192.168.1.0/24']);
    } finally {
      await ws.close();
      await srv.close();
    }
  });
});
