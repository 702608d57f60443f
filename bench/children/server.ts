/**
 * The registry under test, in its own process so its RSS and CPU are its own:
 * `node --import tsx bench/children/server.ts <dataDir> [storeUrl]` serves `<dataDir>` (or the
 * store at `storeUrl`, e.g. a `postgres://` URL) on 127.0.0.1 with an OS-picked port and a silent logger, prints `{"url","port","ca","pid","dns"}` once serving
 * (`dns`: the DNS port when the folder's backends.toml enables `[dns]`, else null), and
 * stops on SIGTERM or when stdin closes (exiting normally, so `--cpu-prof` writes its profile).
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, startServer } from '../../src/server/index.js';

async function serve(dataDir: string, storeUrl: string | undefined): Promise<void> {
  const configPath = join(dataDir, 'backends.toml');
  await access(configPath).catch(() => writeFile(configPath, ''));
  const load = () =>
    loadConfig({
      flags: { host: '127.0.0.1', port: 0, dataDir, configPath, autoRegister: false, logLevel: 'silent', ...(storeUrl === undefined ? {} : { storeUrl }) },
      env: {},
      cwd: dataDir,
    });
  const server = await startServer({ config: await load(), reloadConfig: load, watchConfig: false, logger: createLogger({ level: 'silent' }) });
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
  process.stdin.once('close', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, ca: server.caPem ?? null, pid: process.pid, dns: server.dnsPort ?? null })}\n`);
}

const dataDir = process.argv[2];
if (dataDir === undefined) {
  process.stderr.write('usage: server.ts <dataDir> [storeUrl]\n');
  process.exitCode = 2;
} else {
  serve(dataDir, process.argv[3]).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
    process.stdin.destroy();
  });
}
