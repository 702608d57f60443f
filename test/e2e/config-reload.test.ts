import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { captureLogs, eventually, type LogCapture } from '../helpers/log-capture.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

/** What an editor does: write a temporary file, then rename it over the original. */
async function editByRename(path: string, text: string): Promise<void> {
  await writeFile(`${path}.swp`, text);
  await rename(`${path}.swp`, path);
}

const backendToml = (name: string, host: string, port: number) => `[[backend]]\nname = "${name}"\nhost = "${host}"\nport = ${port}\nprotocol = "ws"\n`;

describe('configuration hot reload', () => {
  let srv: TestServer;
  let ws: RawSocket;
  let logs: LogCapture;
  let nextId = 1;

  const list = async (): Promise<Obj[]> => {
    const id = `l${nextId++}`;
    ws.send({ id, type: 'request', action: 'list_services', params: {} });
    const answer = await ws.next();
    assert.equal(answer.id, id);
    return answer.result as Obj[];
  };
  const byName = async (name: string): Promise<Obj | undefined> => (await list()).find((s) => s.name === name);

  before(async () => {
    logs = captureLogs();
    srv = await startTestServer({ logger: logs.logger });
    ws = await openRawSocket(srv.url, srv.caPem);
  });
  after(async () => {
    await ws?.close();
    await srv?.close();
  });

  it('applies an edit made by write-then-rename within 2 s', async () => {
    await editByRename(srv.configPath, backendToml('prod', 'plexus.example.com', 4444));
    const prod = await eventually(() => byName('prod'), 2_000, 'the new backend appearing');
    assert.equal(prod.source, 'file');
    assert.equal(prod.host, 'plexus.example.com');
    await editByRename(srv.configPath, backendToml('prod', 'plexus2.example.com', 4444));
    await eventually(async () => ((await byName('prod'))?.host === 'plexus2.example.com' ? true : undefined), 2_000, 'the second edit');
  });

  it('keeps the last good configuration when the file breaks, and logs the line and reason', async () => {
    await editByRename(srv.configPath, `${backendToml('prod', 'plexus2.example.com', 4444)}[[backend]]\nname = "broken"\nport = "not a number\n`);
    const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('configuration rejected'), 2_000);
    assert.match(String(line.msg), /backends\.toml:\d+:\d+: /);
    assert.equal((await byName('prod'))?.host, 'plexus2.example.com');
    assert.equal(await byName('broken'), undefined);
    await editByRename(srv.configPath, `${backendToml('prod', 'plexus2.example.com', 4444)}[[backend]]\nname = "broken"\nhost = "h"\nport = 70000\n`);
    const invalid = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('port') && l.msg.includes('65535'), 2_000);
    assert.match(String(invalid.msg), /backend\[1\]\.port/);
    assert.equal(await byName('broken'), undefined);
  });

  it('never lets a file entry overwrite a manual registration', async () => {
    ws.send({ jsonrpc: '2.0', id: 'm1', method: 'registry.register', params: { name: 'api', host: '10.9.9.9', port: 8443 } });
    assert.equal(((await ws.next()).result as Obj).type, 'backend_registered');
    await editByRename(srv.configPath, backendToml('prod', 'plexus2.example.com', 4444) + backendToml('api', 'file.example.com', 1));
    ws.send({ jsonrpc: '2.0', id: 'm2', method: 'registry.reload' });
    assert.deepEqual((await ws.next()).result, { type: 'reloaded', count: 2 });
    const api = await byName('api');
    assert.equal(api?.source, 'manual');
    assert.equal(api?.host, '10.9.9.9');
  });

  it('removes an entry that was taken out of the file, and leaves manual ones', async () => {
    await editByRename(srv.configPath, backendToml('api', 'file.example.com', 1));
    await eventually(async () => ((await byName('prod')) === undefined ? true : undefined), 2_000, 'prod being removed');
    assert.equal((await byName('api'))?.source, 'manual');
    assert.equal((await byName('plexus'))?.source, 'auto', 'the auto-registered backend stays');
  });

  it('answers reload of a broken file with config_invalid naming the line, changing nothing', async () => {
    await writeFile(srv.configPath, '[[backend]\nname = "x"\n');
    ws.send({ id: 'rl', type: 'request', action: 'reload', params: {} });
    const answer = await ws.next();
    const error = answer.error as Obj;
    assert.equal(error.code, 'config_invalid');
    assert.match(String(error.message), /backends\.toml:1:\d+: /);
    assert.equal((await byName('api'))?.source, 'manual');
  });
});
