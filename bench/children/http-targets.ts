/**
 * Local HTTP servers for the health-check scenario, in their own process so their CPU is not
 * the registry's: `node --import tsx bench/children/http-targets.ts <count>` listens on `<count>`
 * OS-picked ports of 127.0.0.1, answers every GET with 200 "ok", prints `{"ports":[…]}` once
 * listening, and stops on SIGTERM or when stdin closes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

async function listenAll(count: number): Promise<Server[]> {
  const servers = Array.from({ length: count }, () => createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')));
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))));
  return servers;
}

const count = Number(process.argv[2] ?? '4');
const servers = await listenAll(Number.isInteger(count) && count > 0 ? count : 4);
const stop = (): void => {
  process.stdin.destroy();
  for (const server of servers) server.close();
  for (const server of servers) server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.stdin.once('end', stop);
process.stdin.once('close', stop);
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ ports: servers.map((s) => (s.address() as AddressInfo).port) })}\n`);
