/**
 * A registry server for the namespace e2e test, run inside a network namespace with
 * `ip netns exec <ns> node --import tsx test/topology/ns/serve.ts <dataDir> [host]`. It binds
 * 0.0.0.0 (or `host`: `::` takes IPv6 link-local callers too) with TLS (plaintext is refused off loopback), lets callers without credentials read, rescans
 * the interfaces every second, and prints one JSON line `{"port":…,"ca":…,"dns":…}` once serving
 * (`dns` is the DNS port when a configuration file already in the folder enables `[dns]`).
 * It stops on SIGTERM or when its stdin closes.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger, startServer } from '../../../src/server/index.js';

const CONFIG = `[server]
auto_register = false
topology_interval = 1

[auth]
anonymous_role = "read"
`;

async function serve(dataDir: string, host: string): Promise<void> {
  const configPath = join(dataDir, 'backends.toml');
  await access(configPath).catch(() => writeFile(configPath, CONFIG));
  const load = () => loadConfig({ flags: { host, port: 0, dataDir, configPath }, env: {}, cwd: dataDir });
  const server = await startServer({ config: await load(), reloadConfig: load, watchConfig: false, logger: createLogger({ level: 'warn' }) });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdin.destroy();
    server.close().catch((error: unknown) => {
      process.stderr.write(`close failed: ${String(error)}\n`);
      process.exitCode = 1;
    });
  };
  process.once('SIGTERM', stop);
  process.stdin.once('end', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ port: server.port, ca: server.caPem ?? null, dns: server.dnsPort ?? null })}\n`);
}

const [dataDir, host = '0.0.0.0'] = process.argv.slice(2);
if (dataDir === undefined) {
  process.stderr.write('usage: serve.ts <dataDir> [host]\n');
  process.exitCode = 2;
} else {
  serve(dataDir, host).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
    process.stdin.destroy();
  });
}
