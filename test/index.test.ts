import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as registry from '../src/index.js';
import * as server from '../src/server/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The package's entries as its exports map names them, from the sources (test/e2e/package.test.ts checks the built ones). */
const LIBRARY_ENTRY = new URL('../src/index.ts', import.meta.url).href;
const SERVER_ENTRY = new URL('../src/server/index.ts', import.meta.url).href;

/**
 * Run in a child process from the repository: imports a module and prints every module that
 * import loaded, ESM (as a resolve hook sees them) and CommonJS (the require cache). A last
 * import of a marker flushes the hook's messages, so the list is complete.
 */
const LOADED_BY = `
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const hook = \`let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}\`;
const MARKER = 'data:text/javascript,export%20default%201';
const { port1, port2 } = new MessageChannel();
const urls = [];
const flushed = new Promise((resolve) => port1.on('message', (url) => (url === MARKER ? resolve() : urls.push(url))));
register('data:text/javascript,' + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
await import(process.argv.at(-1));
await import(MARKER);
await flushed;
port1.close();
console.log(JSON.stringify([...urls, ...Object.keys(createRequire(import.meta.url).cache)]));
`;

async function modulesLoadedBy(specifier: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', LOADED_BY, specifier], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout) as string[];
}

describe('service-registry package entry', () => {
  it('exports the client, the domain types and the error type', () => {
    assert.equal(typeof registry.RegistryClient.connect, 'function');
    assert.equal(new registry.RegistryError('not_found').code, 'not_found');
    assert.ok(registry.eventTypes.includes('ServiceRegistered'));
  });

  it('loads the client only: no module of the server, the store or the deploy tools, and no database driver', async () => {
    const loaded = await modulesLoadedBy(LIBRARY_ENTRY);
    assert.ok(loaded.some((url) => url.includes('/src/client/client.ts')), 'the probe sees the client load');
    const server = loaded.filter((url) => /\/src\/(server|store|deploy|config|cli)\//.test(url));
    const drivers = loaded.filter((url) => /\/node_modules\/(better-sqlite3|pg|ssh2)\//.test(url));
    assert.deepEqual({ server, drivers }, { server: [], drivers: [] });
  });

  it('sees the probe find the server door and better-sqlite3 behind service-registry/server', async () => {
    const loaded = await modulesLoadedBy(SERVER_ENTRY);
    assert.ok(loaded.some((url) => url.includes('/src/server/index.ts')));
    assert.ok(loaded.some((url) => url.includes('/node_modules/better-sqlite3/')));
  });
});

describe('service-registry/server', () => {
  it('opens without loading the running server, the deploy tools, the certificate generator or the logger (they load on first use)', async () => {
    const loaded = await modulesLoadedBy(SERVER_ENTRY);
    const heavy = loaded.filter((url) => /\/src\/server\/server\.ts$|\/src\/deploy\/|\/node_modules\/(@peculiar\/x509|ssh2|tar|pino|pino-pretty)\//.test(url));
    assert.deepEqual(heavy, []);
  });

  it('exports starting a server, loading its configuration and the CLI tools of its host', () => {
    assert.equal(typeof server.startServer, 'function');
    assert.equal(typeof server.loadConfig, 'function');
    assert.equal(typeof server.createLogger, 'function');
    assert.equal(typeof server.migrateStore, 'function');
    assert.equal(typeof server.buildPackage, 'function');
  });
});
