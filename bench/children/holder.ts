/**
 * Holds idle TLS WebSocket connections for the connections scenario, in its own process so
 * the file descriptor limit and the client memory are per holder:
 * `node --import tsx bench/children/holder.ts <url> <count> <caFile>` prints `{"open":count}`
 * once every connection is open, reports `{"closed":n}` lines if the server drops any, and
 * ends them all when stdin closes or on SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { openSockets } from '../load/socket.js';

async function main(url: string, count: number, caFile: string): Promise<void> {
  const ca = await readFile(caFile, 'utf8');
  const sockets = await openSockets(url, count, { ca }, 32);
  let stopping = false;
  let closed = 0;
  for (const socket of sockets) {
    socket.once('close', () => {
      if (!stopping) process.stdout.write(`${JSON.stringify({ closed: ++closed })}\n`);
    });
  }
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdin.destroy();
    for (const socket of sockets) socket.terminate();
  };
  process.once('SIGTERM', stop);
  process.stdin.once('close', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ open: sockets.length })}\n`);
}

const [url, count, caFile] = process.argv.slice(2);
if (url === undefined || count === undefined || caFile === undefined) {
  process.stderr.write('usage: holder.ts <url> <count> <caFile>\n');
  process.exitCode = 2;
} else {
  main(url, Number(count), caFile).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
