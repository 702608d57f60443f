import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { RegistryClient } from '../../src/client/index.js';
import { DEFAULT_DEFLATE_THRESHOLD_BYTES } from '../../src/server/internal.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** A server frame as it crossed the wire: whether it was compressed (RSV1) and its payload's size there. */
interface WireFrame {
  readonly compressed: boolean;
  readonly wireBytes: number;
}

/**
 * Reads the frames the server sends, from the decrypted bytes of the client's socket, beside ws
 * (which reads the same bytes): server frames are unmasked, so the header alone gives each length.
 */
function tapFrames(socket: WebSocket): WireFrame[] {
  const frames: WireFrame[] = [];
  let pending = Buffer.alloc(0);
  const raw = Reflect.get(socket, '_socket') as Socket;
  raw.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const first = pending[0] ?? 0;
      const short = (pending[1] ?? 0) & 0x7f;
      const header = short < 126 ? 2 : short === 126 ? 4 : 10;
      if (pending.length < header) return;
      const length = short < 126 ? short : short === 126 ? pending.readUInt16BE(2) : pending.readUInt32BE(2) * 2 ** 32 + pending.readUInt32BE(6);
      if (pending.length < header + length) return;
      frames.push({ compressed: (first & 0x40) !== 0, wireBytes: length });
      pending = pending.subarray(header + length);
    }
  });
  return frames;
}

async function openSocket(srv: TestServer, perMessageDeflate: boolean): Promise<{ socket: WebSocket; frames: WireFrame[] }> {
  const socket = new WebSocket(srv.url, { ca: srv.caPem, perMessageDeflate: perMessageDeflate ? { threshold: 1024, clientNoContextTakeover: true, serverNoContextTakeover: true } : false });
  await once(socket, 'open');
  return { socket, frames: tapFrames(socket) };
}

/** Sends one action-envelope request and answers its response's text as decoded. */
async function request(socket: WebSocket, id: string, action: string, params: unknown): Promise<string> {
  socket.send(JSON.stringify({ id, type: 'request', action, params }));
  for (;;) {
    const [data] = (await once(socket, 'message')) as [Buffer];
    const text = data.toString('utf8');
    if ((JSON.parse(text) as { id?: unknown }).id === id) return text;
  }
}

describe('permessage-deflate', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      for (let i = 0; i < 40; i++) await client.register({ name: `svc-${String(i).padStart(3, '0')}`, host: '10.0.0.5', port: 4000 + i });
    } finally {
      await client.close();
    }
  });
  after(() => srv.close());

  it('compresses an answer above the threshold when the client offered it', async () => {
    const { socket, frames } = await openSocket(srv, true);
    try {
      assert.match(socket.extensions, /permessage-deflate/);
      const text = await request(socket, 'l1', 'list_services', {});
      assert.ok(Buffer.byteLength(text) > DEFAULT_DEFLATE_THRESHOLD_BYTES, 'the listing is above the threshold');
      const last = frames.at(-1);
      assert.equal(last?.compressed, true, 'RSV1 set on the listing');
      assert.ok((last?.wireBytes ?? Infinity) < Buffer.byteLength(text) / 2, `${String(last?.wireBytes)} wire bytes for ${Buffer.byteLength(text)}`);
    } finally {
      socket.close();
    }
  });

  it('sends a frame below the threshold uncompressed on the same connection', async () => {
    const { socket, frames } = await openSocket(srv, true);
    try {
      const text = await request(socket, 'g1', 'get_service', { name: 'svc-001' });
      assert.ok(Buffer.byteLength(text) < DEFAULT_DEFLATE_THRESHOLD_BYTES);
      assert.deepEqual(frames.at(-1), { compressed: false, wireBytes: Buffer.byteLength(text) });
    } finally {
      socket.close();
    }
  });

  it('sends nothing compressed to a client that did not offer it', async () => {
    const { socket, frames } = await openSocket(srv, false);
    try {
      assert.equal(socket.extensions, '');
      const text = await request(socket, 'l2', 'list_services', {});
      assert.deepEqual(frames.at(-1), { compressed: false, wireBytes: Buffer.byteLength(text) });
    } finally {
      socket.close();
    }
  });
});

describe('RegistryClient compression', () => {
  it('offers permessage-deflate by default, and not with compression: false', async () => {
    const scripted = await startScriptedServer();
    try {
      const offered = await RegistryClient.connect(scripted.url, { ca: scripted.caPem });
      await offered.close();
      const plain = await RegistryClient.connect(scripted.url, { ca: scripted.caPem, compression: false });
      await plain.close();
      const [first, second] = scripted.upgrades.map((req) => req.headers['sec-websocket-extensions'] ?? '');
      assert.match(first ?? '', /permessage-deflate/);
      assert.equal(second, '');
    } finally {
      await scripted.close();
    }
  });
});
