/**
 * A caller for the namespace e2e test, run inside a network namespace with
 * `ip netns exec <ns> node --import tsx test/topology/ns/call.ts <url> <caFile> '<calls>'`, where
 * calls is a JSON array of `[operation, input]`. It connects once with the real client, trusting
 * the CA file alone: the server's certificate must name the address it dials. It runs the calls in
 * order and prints their results as one JSON array; a failed call prints `{"error":{code,message}}`.
 * The pseudo operation `wait_for_address` polls get_topology until the address shows (10 s).
 *
 * A URL cannot carry the zone an IPv6 link-local address needs (`wss://[fe80::1%veth0]:…`), so
 * the client library cannot dial one: for such a URL this caller opens the TLS socket itself and
 * sends the calls in the action envelope. The certificate leaves link-local addresses out (they
 * need the zone), so it is checked for the name `localhost`, which it always holds.
 */
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { type ClientOptions, WebSocket } from 'ws';
import { RegistryClient } from '../../../src/client/index.js';
import { RegistryError } from '../../../src/domain/index.js';
import type { OperationName } from '../../../src/operations/index.js';

type Obj = Record<string, unknown>;

/** `wss://[fe80::1%veth0]:4445` → its address (with the zone) and port; undefined for any other URL. */
function linkLocalTarget(url: string): { readonly host: string; readonly port: number } | undefined {
  const match = /^wss:\/\/\[([0-9a-f:]+%[^\]]+)\]:(\d+)$/i.exec(url);
  return match?.[1] === undefined ? undefined : { host: match[1], port: Number(match[2]) };
}

async function callOverLinkLocal(target: { readonly host: string; readonly port: number }, ca: string, calls: readonly [string, Obj][]): Promise<unknown[]> {
  const createConnection = (() => tlsConnect({ host: target.host, port: target.port, ca, servername: 'localhost' })) as unknown as ClientOptions['createConnection'];
  const socket = new WebSocket(`wss://localhost:${target.port}`, { createConnection });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const results: unknown[] = [];
  try {
    for (const [index, [action, params]] of calls.entries()) {
      const answer = await new Promise<Obj>((resolve) => {
        socket.once('message', (data) => resolve(JSON.parse(String(data)) as Obj));
        socket.send(JSON.stringify({ id: `c${index}`, type: 'request', action, params }));
      });
      results.push(answer.error === undefined ? answer.result : { error: answer.error });
    }
  } finally {
    socket.close();
  }
  return results;
}

async function waitForAddress(client: RegistryClient, address: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const topology = await client.getTopology();
    if (topology.addresses.some((a) => a.address === address)) return topology;
    if (Date.now() > deadline) throw new Error(`${address} did not show in get_topology within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(url: string, caFile: string, callsText: string): Promise<void> {
  const calls = JSON.parse(callsText) as [string, Obj][];
  const ca = await readFile(caFile, 'utf8');
  const linkLocal = linkLocalTarget(url);
  if (linkLocal !== undefined) {
    process.stdout.write(`${JSON.stringify(await callOverLinkLocal(linkLocal, ca, calls))}\n`);
    return;
  }
  const client = await RegistryClient.connect(url, { ca });
  const results: unknown[] = [];
  try {
    for (const [op, input] of calls) {
      try {
        if (op === 'wait_for_address') results.push(await waitForAddress(client, String(input.address)));
        else results.push(await client.call(op as OperationName, input as never));
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        results.push({ error: { code: error.code, message: error.message } });
      }
    }
  } finally {
    await client.close();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

const [url, caFile, calls] = process.argv.slice(2);
if (url === undefined || caFile === undefined || calls === undefined) {
  process.stderr.write("usage: call.ts <url> <caFile> '[[op, input], …]'\n");
  process.exitCode = 2;
} else {
  main(url, caFile, calls).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
