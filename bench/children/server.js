// @ts-check
/**
 * The registry under test, in its own process so its RSS and CPU are its own:
 * `node [--import tsx] bench/children/server.js <src|dist> <dataDir> [storeUrl]` serves `<dataDir>`
 * (or the store at `storeUrl`, e.g. a `postgres://` URL) on 127.0.0.1 with an OS-picked port and a
 * silent logger, prints `{"url","port","ca","pid","dns"}` once serving (`dns`: the DNS port when
 * the folder's backends.toml enables `[dns]`, else null), and stops on SIGTERM or when stdin
 * closes (exiting normally, so `--cpu-prof` writes its profile).
 *
 * Plain JavaScript, so that with `dist` it runs the compiled package (`npm run build`) under plain
 * `node`, as `registry serve` runs; with `src` it runs the sources under tsx.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** @param {string} build @param {string} dataDir @param {string | undefined} storeUrl */
async function serve(build, dataDir, storeUrl) {
  const { loadConfig } = await import(new URL(`../../${build}/config/index.js`, import.meta.url).href);
  const { createLogger, startServer } = await import(new URL(`../../${build}/server/index.js`, import.meta.url).href);
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
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdin.destroy();
    server.close().catch((/** @type {unknown} */ error) => {
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

const [build, dataDir, storeUrl] = process.argv.slice(2);
if ((build !== 'src' && build !== 'dist') || dataDir === undefined) {
  process.stderr.write('usage: server.js <src|dist> <dataDir> [storeUrl]\n');
  process.exitCode = 2;
} else {
  serve(build, dataDir, storeUrl).catch((/** @type {unknown} */ error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
    process.stdin.destroy();
  });
}
