/**
 * A caller for the auth matrix, run on this host or inside a network namespace with
 * `ip netns exec <ns> node --import tsx test/security/matrix-client.ts <job.json>`. The job names
 * the URL, the CA, and connections, each with its credentials (a bearer token, a client
 * certificate, or none) and the calls to make in the action envelope. It prints one JSON object:
 * per connection, the upgrade refusal or each call's outcome (`ok` or the error code).
 *
 * With `hold`, it instead opens that many connections at once, reports how many opened and the
 * refusals, and closes them.
 */
import { readFile } from 'node:fs/promises';
import { type ClientOptions, WebSocket } from 'ws';

export interface MatrixConnection {
  readonly label: string;
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly calls: readonly { readonly action: string; readonly params: unknown }[];
}

export interface MatrixJob {
  readonly url: string;
  readonly ca: string;
  readonly connections?: readonly MatrixConnection[];
  readonly hold?: number;
}

export type ConnectionOutcome = { readonly refused: { readonly status: number; readonly body: string } } | { readonly calls: readonly string[] };

export interface HoldOutcome {
  readonly opened: number;
  readonly refused: readonly { readonly status: number; readonly body: string }[];
}

type Obj = Record<string, unknown>;

function connect(job: MatrixJob, connection: Omit<MatrixConnection, 'calls' | 'label'>): Promise<WebSocket | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // ws hands `servername` to tls.connect: the server certificate names localhost, not the veth address.
    const options: ClientOptions & { readonly servername: string } = {
      ca: job.ca,
      servername: 'localhost',
      ...(connection.cert === undefined ? {} : { cert: connection.cert, key: connection.key }),
      headers: connection.token === undefined ? {} : { authorization: `Bearer ${connection.token}` },
    };
    const socket = new WebSocket(job.url, options);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    });
    socket.once('error', reject);
  });
}

/** Makes the calls one after another; each answer is `ok` or its error code. */
async function callAll(socket: WebSocket, calls: MatrixConnection['calls']): Promise<string[]> {
  const outcomes: string[] = [];
  for (const [index, call] of calls.entries()) {
    const answer = await new Promise<Obj>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${call.action} within 10 s`)), 10_000);
      socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(JSON.parse(String(data)) as Obj);
      });
      socket.send(JSON.stringify({ id: `c${index}`, type: 'request', action: call.action, params: call.params }));
    });
    const error = answer.error as Obj | undefined;
    outcomes.push(error === undefined ? 'ok' : String(error.code));
  }
  return outcomes;
}

const closeAll = (sockets: readonly WebSocket[]): Promise<unknown> =>
  Promise.all(sockets.map((s) => new Promise((resolve) => (s.once('close', resolve), s.close()))));

async function run(job: MatrixJob): Promise<Record<string, ConnectionOutcome> | HoldOutcome> {
  if (job.hold !== undefined) {
    const all = await Promise.all(Array.from({ length: job.hold }, () => connect(job, {})));
    const sockets = all.filter((s): s is WebSocket => s instanceof WebSocket);
    const refused = all.filter((s): s is { status: number; body: string } => !(s instanceof WebSocket));
    await closeAll(sockets);
    return { opened: sockets.length, refused };
  }
  const results: Record<string, ConnectionOutcome> = {};
  for (const connection of job.connections ?? []) {
    const socket = await connect(job, connection);
    if (!(socket instanceof WebSocket)) {
      results[connection.label] = { refused: socket };
      continue;
    }
    results[connection.label] = { calls: await callAll(socket, connection.calls) };
    await closeAll([socket]);
  }
  return results;
}

const [jobPath] = process.argv.slice(2);
if (jobPath !== undefined && process.argv[1]?.endsWith('matrix-client.ts')) {
  readFile(jobPath, 'utf8')
    .then((text) => run(JSON.parse(text) as MatrixJob))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
