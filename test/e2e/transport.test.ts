import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config/index.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer } from '../helpers/test-server.js';

describe('transport', () => {
  it('refuses a plaintext WebSocket on the TLS port', async () => {
    const srv = await startTestServer();
    try {
      const plain = new WebSocket(srv.url.replace('wss://', 'ws://'));
      const outcome = await new Promise<string>((resolve) => {
        plain.once('open', () => resolve('open'));
        plain.once('error', (err) => resolve(`error: ${err.message}`));
      });
      assert.match(outcome, /^error: /);
      plain.terminate();
    } finally {
      await srv.close();
    }
  });

  it('refuses a TLS client that does not trust the server CA', async () => {
    const srv = await startTestServer();
    try {
      await assert.rejects(openRawSocket(srv.url, undefined), /self[- ]signed|unable to verify|certificate/i);
    } finally {
      await srv.close();
    }
  });

  it('answers GET /healthz over HTTPS on the same port', async () => {
    const srv = await startTestServer();
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`https://127.0.0.1:${srv.server.port}/healthz`, { ca: srv.caPem }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`status ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end();
      });
      const health = JSON.parse(body) as Record<string, unknown>;
      assert.equal(health.status, 'ok');
      assert.equal(typeof health.revision, 'number');
    } finally {
      await srv.close();
    }
  });

  it('serves plaintext ws:// with --insecure-loopback on 127.0.0.1', async () => {
    const srv = await startTestServer({ flags: { insecureLoopback: true } });
    try {
      assert.match(srv.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
      const ws = await openRawSocket(srv.url, undefined);
      ws.send({ jsonrpc: '2.0', id: 1, method: 'registry.get', params: { name: 'plexus' } });
      assert.equal(((await ws.next()).result as { backend: { name: string } }).backend.name, 'plexus');
      await ws.close();
    } finally {
      await srv.close();
    }
  });

  it('refuses --insecure-loopback with --host 0.0.0.0, naming the host', async () => {
    await assert.rejects(
      loadConfig({ flags: { insecureLoopback: true, host: '0.0.0.0', }, env: { XDG_CONFIG_HOME: '/nonexistent-registry-test' } }),
      (error: Error) => /only allowed while bound to loopback/.test(error.message) && /0\.0\.0\.0/.test(error.message),
    );
  });
});
