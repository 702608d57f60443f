import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as wsModule from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { ConnectionOutput, UnreadBudget } from '../../src/server/connection-output.js';
import { encodeFrames, sendFrames } from '../../src/server/frame-writer.js';
import { createLogger } from '../../src/server/log.js';

/** ws's own framer (`Sender.frame`, exported by ws but not in its typings): the bytes `ws.send` writes for one unmasked text frame. */
type WsFrame = (data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }) => Buffer[];
const wsFrame = Reflect.get(Reflect.get(wsModule, 'Sender') as object, 'frame') as WsFrame;

/** The payload length a frame's header announces, and where the payload starts. */
function readHeader(frame: Buffer): { readonly length: number; readonly start: number } {
  assert.equal(frame[0], 0x81, 'FIN and the text opcode');
  const short = frame[1] ?? 0;
  assert.equal(short & 0x80, 0, 'a server frame is not masked');
  if (short < 126) return { length: short, start: 2 };
  if (short === 126) return { length: frame.readUInt16BE(2), start: 4 };
  return { length: frame.readUInt32BE(2) * 2 ** 32 + frame.readUInt32BE(6), start: 10 };
}

describe('encodeFrames', () => {
  it('announces each payload length in the header size RFC 6455 gives it', () => {
    for (const [size, header] of [
      [0, 2],
      [125, 2],
      [126, 4],
      [65_535, 4],
      [65_536, 10],
    ] as const) {
      const text = 'x'.repeat(size);
      const frame = encodeFrames([text]);
      assert.deepEqual(readHeader(frame), { length: size, start: header }, `a ${size}-byte payload`);
      assert.equal(frame.length, header + size);
      assert.equal(frame.subarray(header).toString('utf8'), text);
    }
  });

  it('writes the same bytes ws writes for the same text frame', () => {
    for (const size of [0, 1, 125, 126, 65_535, 65_536, 200_000]) {
      const text = `{"n":"${'é'.repeat(size >> 2)}${'x'.repeat(size - 2 * (size >> 2))}"}`;
      const ours = encodeFrames([['{"n":"', Buffer.from(text.slice(6, -2)), '"}']]);
      const theirs = Buffer.concat(wsFrame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
      assert.ok(ours.equals(theirs), `a ${Buffer.byteLength(text)}-byte payload`);
    }
  });

  it('counts a payload in UTF-8 bytes and joins its pieces in order', () => {
    const frame = encodeFrames([['{"a":"é', Buffer.from('—€'), '"}']]);
    const { length, start } = readHeader(frame);
    const payload = frame.subarray(start).toString('utf8');
    assert.equal(payload, '{"a":"é—€"}');
    assert.equal(length, Buffer.byteLength(payload));
  });
});

/** A plain ws server on loopback port 0, with the permessage-deflate setting given. */
async function listenWs(perMessageDeflate: boolean | { threshold: number }): Promise<{ wss: WebSocketServer; url: string; close(): Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    wss,
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

describe('sendFrames', () => {
  let wss: WebSocketServer;
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    ({ wss, url, close } = await listenWs(false));
  });
  after(() => close());

  /** A connected pair: the server side and a client collecting `count` text messages. */
  async function connect(count: number) {
    const accepted = once(wss, 'connection');
    const client = new WebSocket(url);
    const received = new Promise<string[]>((resolve, reject) => {
      const texts: string[] = [];
      client.on('message', (data, isBinary) => {
        if (isBinary) reject(new Error('a frame arrived as binary'));
        texts.push(data.toString());
        if (texts.length === count) resolve(texts);
      });
      client.once('close', () => reject(new Error(`closed after ${texts.length} of ${count} frames`)));
    });
    const [[server]] = await Promise.all([accepted as Promise<[WebSocket]>, once(client, 'open')]);
    return { server, received, pause: () => client.pause(), resume: () => client.resume(), close: () => client.terminate() };
  }

  it('delivers frames written as one buffer, in order, among frames ws sends itself', async () => {
    const pair = await connect(5);
    try {
      const big = 'z'.repeat(70_000);
      pair.server.send('from ws first');
      sendFrames(pair.server, ['{"n":1}', ['{"n":', Buffer.from('2'), '}'], big]);
      pair.server.send('from ws last');
      assert.deepEqual(await pair.received, ['from ws first', '{"n":1}', '{"n":2}', big, 'from ws last']);
    } finally {
      pair.close();
    }
  });

  it('counts frames the peer has not read yet in bufferedAmount, which the slow-consumer limits read', async () => {
    const pair = await connect(1);
    try {
      pair.pause();
      const large = 'q'.repeat(16 * 1024 * 1024);
      sendFrames(pair.server, [large]);
      assert.ok(pair.server.bufferedAmount > 0, 'a 16 MiB frame to a peer that does not read waits on the socket');
      pair.resume();
      assert.equal((await pair.received)[0]?.length, large.length);
    } finally {
      pair.close();
    }
  });

  it('drops frames once the socket is closing', async () => {
    const pair = await connect(1);
    try {
      sendFrames(pair.server, ['only']);
      assert.deepEqual(await pair.received, ['only']);
      pair.server.close(1000, 'bye');
      const before = pair.server.bufferedAmount;
      sendFrames(pair.server, ['after close']);
      assert.equal(pair.server.bufferedAmount, before);
    } finally {
      pair.close();
    }
  });
});

describe('ConnectionOutput on a connection with permessage-deflate', () => {
  let wss: WebSocketServer;
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    // Compressed above 1 KiB: a small frame goes out as it is, a large one through the deflater (asynchronous).
    ({ wss, url, close } = await listenWs({ threshold: 1024 }));
  });
  after(() => close());

  it('sends through ws, so a small frame never overtakes a large one still being compressed', async () => {
    const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(url);
    try {
      const [[server]] = await Promise.all([accepted, once(client, 'open')]);
      assert.match(server.extensions, /permessage-deflate/);
      const received = new Promise<string[]>((resolve) => {
        const texts: string[] = [];
        client.on('message', (data) => {
          texts.push(data.toString());
          if (texts.length === 5) resolve(texts);
        });
      });
      const output = new ConnectionOutput(server, 8 * 1024 * 1024, new UnreadBudget(256 * 1024 * 1024, createLogger({ level: 'silent' })), createLogger({ level: 'silent' }));
      const large = `{"big":"${'a'.repeat(200_000)}"}`;
      server.send(`{"ws":"${'b'.repeat(200_000)}"}`);
      assert.equal(output.send([large, ['{"n":', Buffer.from('1'), '}']]), true);
      assert.equal(output.send(['{"n":2}']), true);
      assert.equal(output.send([['{"n":', '3}']]), true);
      assert.deepEqual(await received, [`{"ws":"${'b'.repeat(200_000)}"}`, large, '{"n":1}', '{"n":2}', '{"n":3}']);
    } finally {
      client.terminate();
    }
  });
});
