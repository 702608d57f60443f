import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RegistryClient, type StreamedEvent, type StreamStatus } from '../../src/client/index.js';
import { serviceOf } from '../helpers/streamed.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

async function take(iterator: AsyncIterator<StreamedEvent>, count: number, timeoutMs = 10_000): Promise<StreamedEvent[]> {
  const out: StreamedEvent[] = [];
  while (out.length < count) {
    const next = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${out.length} of ${count} events arrived`)), timeoutMs).unref()),
    ]);
    if (next.done === true) throw new Error('the stream ended early');
    out.push(next.value);
  }
  return out;
}

async function registerRange(client: RegistryClient, from: number, to: number): Promise<void> {
  await Promise.all(Array.from({ length: to - from }, (_, i) => client.register({ name: `r-${from + i}`, host: '10.0.0.1', port: 1000 + i })));
}

describe('RegistryClient.subscribe', () => {
  it('resumes after the server restarts and hands out every event once, in order', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-resume-'));
    let srv: TestServer | undefined = await startTestServer({ dataDir });
    const port = srv.server.port;
    const statuses: StreamStatus['type'][] = [];
    let connected: () => void = () => undefined;
    const subscribed = new Promise<void>((resolve) => (connected = resolve));
    const onStatus = (s: StreamStatus): void => {
      statuses.push(s.type);
      if (s.type === 'connected') connected();
    };
    const reader = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    const stream = reader.subscribe({ services: ['r-*'], events: ['ServiceRegistered'], reconnectBaseMs: 50, onStatus });
    const iterator = stream[Symbol.asyncIterator]();
    try {
      const writer = await RegistryClient.connect(srv.url, { ca: srv.caPem });
      await subscribed; // the stream asks for live events only: write after it listens
      await registerRange(writer, 0, 10);
      const first = await take(iterator, 10);
      await writer.close();
      await srv.close();
      srv = await startTestServer({ dataDir, flags: { port } });
      const writer2 = await RegistryClient.connect(srv.url, { ca: srv.caPem });
      await registerRange(writer2, 10, 30);
      const rest = await take(iterator, 20);
      const names = [...first, ...rest].map(serviceOf);
      assert.deepEqual(new Set(names).size, 30, 'no event twice');
      assert.deepEqual(names.slice(10).sort(), Array.from({ length: 20 }, (_, i) => `r-${10 + i}`).sort());
      const revisions = [...first, ...rest].map((e) => e.revision);
      assert.ok(revisions.every((r, i) => i === 0 || r > (revisions[i - 1] ?? 0)), 'revisions increase');
      assert.ok(statuses.includes('disconnect') && statuses.includes('reconnecting'), `statuses: ${statuses.join(',')}`);
      await writer2.close();
    } finally {
      await iterator.return?.();
      await reader.close();
      await srv?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('ends the stream with the server error when the subscription is refused', async () => {
    const srv = await startTestServer();
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      const stream = client.subscribe({ sinceRevision: -5 });
      await assert.rejects(async () => {
        for await (const event of stream) assert.fail(`no event expected, got ${event.event}`);
      }, { name: 'RegistryError', code: 'invalid_params' });
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
