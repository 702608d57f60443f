/**
 * A real TCP proxy in front of PostgreSQL, for faults that need the wire: a server's URL points
 * at the proxy, and the test holds the answers PostgreSQL sends (so the server cannot hear of
 * other servers' commits), or cuts a connection right after it sent COMMIT, before the
 * acknowledgement reaches the server (the commit happened; the server never learns it).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

/** The simple-query message pg sends for `client.query('COMMIT')`: 'Q', length 11, "COMMIT\0". */
const COMMIT_MESSAGE = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 11]), Buffer.from('COMMIT\0')]);

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** PostgreSQL's bytes held back from the client while answers are held. */
  readonly held: Buffer[];
}

export interface PostgresProxy {
  /** `url` with its port pointed at the proxy. */
  readonly url: string;
  /** From now on, PostgreSQL's answers wait in the proxy (every connection, new ones too). */
  hold(): void;
  /** Sends what was held, and lets answers through again. */
  release(): void;
  /**
   * The next standalone COMMIT any connection sends reaches PostgreSQL, and the server never gets
   * the acknowledgement: `cut` closes the server's side of that connection at once; `hold` keeps
   * it open, waiting (until the server dies). Resolves once PostgreSQL has acknowledged the COMMIT.
   */
  afterNextCommit(mode: 'cut' | 'hold'): Promise<void>;
  close(): Promise<void>;
}

export async function startPostgresProxy(url: string): Promise<PostgresProxy> {
  const target = new URL(url);
  const pairs = new Set<Pair>();
  let holding = false;
  let armed: { readonly mode: 'cut' | 'hold'; readonly done: () => void } | undefined;
  const server: Server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    let swallow = false;
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    // Once a COMMIT's acknowledgement is being kept from the server, PostgreSQL's side is let finish (the COMMIT written in full).
    client.on('close', () => (swallow ? upstream.end() : end()));
    upstream.on('close', () => (swallow ? pairs.delete(pair) : end()));
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (armed === undefined || !chunk.includes(COMMIT_MESSAGE)) return;
      const { mode, done } = armed;
      armed = undefined;
      swallow = true;
      // The COMMIT is on its way; in `cut`, the server's side goes before PostgreSQL's answer can come back.
      if (mode === 'cut') client.destroy();
      upstream.once('data', () => {
        if (mode === 'cut') upstream.end();
        done();
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      if (swallow) return;
      if (holding) pair.held.push(chunk);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const pair of pairs) for (const chunk of pair.held.splice(0)) pair.client.write(chunk);
    },
    afterNextCommit: (mode) => new Promise<void>((resolve) => (armed = { mode, done: resolve })),
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
