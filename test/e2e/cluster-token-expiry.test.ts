/**
 * Token expiry with two registry servers on one embedded PostgreSQL, each on its own manual clock:
 * every server judges a token at use by its own clock (a role, a new sign-in, an upgrade, and the
 * streams it authorised), while only the server holding the sweeps removes expired tokens from
 * the database; that removal ends the token's streams on the other server too.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/index.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import type { TestServer } from '../helpers/test-server.js';
import { envelope, envelopeCode, type Obj, openSocket, refusalOf, startConfiguredServer, type TestSocket } from '../security/support.js';

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

const T0 = Date.UTC(2026, 4, 1, 8, 0, 0);
/** On B, loopback gets no role, so a local test connection holds only what its token grants. */
const TOKENS_ONLY = '[auth]\nloopback_role = "none"\n';

describe('token expiry on two servers sharing one PostgreSQL', () => {
  const servers: TestServer[] = [];
  const sockets: TestSocket[] = [];
  let seq = 0;
  const id = (): string => `x${String(++seq)}`;
  const open = async (server: TestServer): Promise<TestSocket> => {
    const socket = await openSocket(server.url, { ca: server.caPem });
    sockets.push(socket);
    return socket;
  };
  const result = async (socket: TestSocket, action: string, params: unknown = {}): Promise<unknown> => {
    const answer = await socket.call(envelope(id(), action, params));
    assert.equal(envelopeCode(answer), undefined, `${action}: ${JSON.stringify(answer)}`);
    return answer.result;
  };

  after(async () => {
    for (const socket of sockets) await socket.close();
    for (const server of servers) await server.close();
  });

  it('checks expiry at use on each server, sweeps on one, and ends the streams on both', { timeout: 120_000 }, async (t) => {
    if (!requirePeer(t, postgres !== undefined, started.ok ? '' : started.reason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const flags = { storeUrl: url, autoRegister: false };
    const [clockA, clockB] = [new ManualClock(T0), new ManualClock(T0)];
    const a = await startConfiguredServer('', { clock: clockA, flags });
    servers.push(a);
    const admin = await open(a);
    // A claims the sweeps at its first tick; B starts only after that, so B never sweeps while A lives.
    const sweepsHere = async (): Promise<true | undefined> => ((await result(admin, 'list_members')) as Obj[]).some((m) => m.self === true && m.sweeps === true) || undefined;
    await eventually(sweepsHere, 15_000, 'A holding the sweeps');
    const b = await startConfiguredServer(TOKENS_ONLY, { clock: clockB, flags });
    servers.push(b);

    const short = String(((await result(admin, 'token_create', { name: 'short', role: 'read', ttl: 60 })) as Obj).token);
    const long = String(((await result(admin, 'token_create', { name: 'long', role: 'read', ttl: 120 })) as Obj).token);
    const listed = async (): Promise<string[]> => ((await result(admin, 'token_list')) as Obj[]).map((token) => String(token.name)).sort();
    // On B, once it heard of them: a stream held by each token, and a connection that only calls.
    const signIn = async (socket: TestSocket, token: string): Promise<void> => {
      const signedIn = async (): Promise<Obj | undefined> => {
        const answer = await socket.call(envelope(id(), 'authenticate', { token }));
        return envelopeCode(answer) === undefined ? (answer.result as Obj) : undefined;
      };
      assert.equal((await eventually(signedIn, 15_000, 'B knowing the token')).role, 'read');
    };
    const streamOf = async (token: string): Promise<TestSocket> => {
      const socket = await open(b);
      await signIn(socket, token);
      await result(socket, 'subscribe');
      return socket;
    };
    const shortStream = await streamOf(short);
    const longStream = await streamOf(long);
    const caller = await open(b);
    await signIn(caller, short);
    assert.equal(((await result(caller, 'status')) as Obj).role, 'read');

    // B's clock passes the short token's expiry; A's does not, so A (which sweeps) keeps the token.
    clockB.advance(60_000);
    assert.equal(envelopeCode(await caller.call(envelope(id(), 'status'))), 'unauthorized', 'B refuses the expired token at use');
    const again = await caller.call(envelope(id(), 'authenticate', { token: short }));
    assert.equal(envelopeCode(again), 'unauthorized');
    assert.match(String((again.error as Obj).message), /expired/);
    assert.equal((await refusalOf(b.url, { ca: b.caPem, headers: { authorization: `Bearer ${short}` } })).status, 401);
    const shortEnd = await shortStream.next(15_000);
    assert.equal(shortEnd.type, 'stream_error', JSON.stringify(shortEnd));
    assert.equal((shortEnd.error as Obj).code, 'unauthorized', 'B ended the stream of the token that expired by its clock');
    // That pass of B's sweeper ended the stream after it had its chance to remove the token: it did not.
    assert.deepEqual(await listed(), ['long', 'short'], 'only the server holding the sweeps removes tokens');

    // A's clock passes both expiries: A removes them, and B ends the long token's stream, though its clock says it is still live.
    clockA.advance(120_000);
    await eventually(async () => ((await listed()).length === 0 ? true : undefined), 15_000, 'A removing the expired tokens');
    const longEnd = await longStream.next(15_000);
    assert.equal(longEnd.type, 'stream_error', JSON.stringify(longEnd));
    assert.equal((longEnd.error as Obj).code, 'unauthorized', 'the removal reached B and ended its stream');
  });
});
