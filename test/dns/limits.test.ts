/**
 * What the DNS listener does with callers it should not serve: a source over its rate, packets
 * that are not queries, opcodes and EDNS versions it does not speak. None of it stops the others
 * from being answered. And a port that is taken fails the start with one clear reason.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as packet from 'dns-packet';
import { RegistryClient } from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';
import { answerData, digShort, question, rcodeOf, udpExchange, udpQueries } from '../helpers/dns.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** Sends one query over TCP from `from` and reads one answer. */
async function tcpFrom(port: number, from: string, query: packet.Packet): Promise<packet.DecodedPacket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  try {
    return await new Promise((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) resolve(packet.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      });
      socket.write(packet.streamEncode(query));
    });
  } finally {
    socket.destroy();
  }
}

describe('DNS listener limits', () => {
  let srv: TestServer;
  let port: number;
  before(async () => {
    srv = await startTestServer({ configText: '[dns]\nenabled = true\nport = 0\nrate_limit = 1\nrate_burst = 3\n', flags: { autoRegister: false } });
    port = srv.server.dnsPort ?? 0;
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await client.call('register_service', { name: 'api', host: '203.0.113.10', host_id: 'elsewhere', addresses: { public: '203.0.113.10' }, port: 80 });
    await client.close();
  });
  after(() => srv.close());

  it('drops UDP queries from a source past its rate and burst, while other sources are still answered', async () => {
    const queries = Array.from({ length: 12 }, (_, i) => question(100 + i, 'api.service.registry', 'A'));
    const started = performance.now();
    const answered = await udpQueries(port, queries, { from: '127.0.0.2', timeoutMs: 1_000 });
    const sendingSeconds = (performance.now() - started) / 1000;
    // The burst of 3, plus at most one more per second the sending took (rate_limit = 1).
    assert.ok(answered.size >= 1 && answered.size <= 3 + Math.ceil(sendingSeconds), `${answered.size} answered in ${sendingSeconds.toFixed(2)} s`);
    for (const answer of answered.values()) assert.deepEqual(answerData(answer), ['203.0.113.10']);
    const other = await udpQueries(port, [question(1, 'api.service.registry', 'A')], { from: '127.0.0.3' });
    assert.equal(other.size, 1, 'another source has its own bucket');
  });

  it('refuses TCP queries from a source past its rate (its address is proven, so it gets a REFUSED)', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(rcodeOf(await tcpFrom(port, '127.0.0.4', question(i, 'api.service.registry', 'A'))));
    assert.ok(answers.includes('REFUSED') && answers[0] === 'NOERROR', answers.join(' '));
  });

  it('answers nothing to a response or a runt, FORMERR to bytes that do not decode, and keeps serving', async () => {
    const from = { from: '127.0.0.5', timeoutMs: 300 };
    const response = packet.encode({ type: 'response', id: 9, questions: [{ type: 'A', name: 'api.service.registry' }] });
    assert.equal(await udpExchange(port, response, from), undefined, 'a response is never answered (no loops between servers)');
    assert.equal(await udpExchange(port, Buffer.from([1, 2, 3]), from), undefined, 'fewer bytes than a header');
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 0xff, 0x00])]);
    const formerr = await udpExchange(port, garbage, { from: '127.0.0.6' });
    assert.ok(formerr !== undefined);
    const decoded = packet.decode(formerr);
    assert.deepEqual([decoded.id, rcodeOf(decoded)], [0x1234, 'FORMERR']);
    assert.deepEqual(await digShort(port, ['api.service.registry']), ['203.0.113.10']);
  });

  it('answers NOTIMP to another opcode and FORMERR to two questions', async () => {
    const notify = packet.encode({ type: 'query', id: 5, flags: 4 << 11, questions: [{ type: 'SOA', name: 'registry' }] });
    const answer = await udpExchange(port, notify, { from: '127.0.0.7' });
    assert.equal(answer === undefined ? undefined : rcodeOf(packet.decode(answer)), 'NOTIMP');
    const two = packet.encode({ type: 'query', id: 6, questions: [{ type: 'A', name: 'api.service.registry' }, { type: 'A', name: 'x.service.registry' }] });
    const refused = await udpExchange(port, two, { from: '127.0.0.8' });
    assert.equal(refused === undefined ? undefined : rcodeOf(packet.decode(refused)), 'FORMERR');
  });

  it('fails to start when the DNS port is taken, naming [dns] and the port, and leaves nothing listening', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const taken = holder.address().port;
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-dns-'));
    try {
      const failure = await startTestServer({ dataDir, configText: `[dns]\nenabled = true\nport = ${taken}\n`, flags: { autoRegister: false } }).then(
        async (started) => {
          await started.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      assert.ok(failure instanceof RegistryError, String(failure));
      assert.equal(failure.code, 'unavailable');
      assert.match(failure.message, new RegExp(`^\\[dns\\] cannot listen on 127\\.0\\.0\\.1:${taken}: the port is in use`));
      assert.deepEqual((await readdir(dataDir)).sort(), ['backends.toml'], 'a failed start writes nothing');
    } finally {
      holder.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('binds no DNS port unless [dns] enabled', async () => {
    const off = await startTestServer({ flags: { autoRegister: false } });
    try {
      assert.equal(off.server.dnsPort, undefined);
      assert.equal(off.config.dns.enabled, false);
    } finally {
      await off.close();
    }
  });
});
