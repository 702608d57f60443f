/**
 * A caller for the namespace e2e test, run inside a network namespace with
 * `ip netns exec <ns> node --import tsx test/topology/ns/call.ts <url> <caFile> '<calls>'`, where
 * calls is a JSON array of `[operation, input]`. It connects once with the real client (the
 * server certificate names localhost, so that is the TLS name it checks), runs the calls in
 * order, and prints their results as one JSON array; a failed call prints `{"error":{code,message}}`.
 * The pseudo operation `wait_for_address` polls get_topology until the address shows (10 s).
 */
import { readFile } from 'node:fs/promises';
import { RegistryClient } from '../../../src/client/index.js';
import { RegistryError } from '../../../src/domain/index.js';
import type { OperationName } from '../../../src/operations/index.js';

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
  const calls = JSON.parse(callsText) as [string, Record<string, unknown>][];
  const client = await RegistryClient.connect(url, { ca: await readFile(caFile, 'utf8'), servername: 'localhost' });
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
