/**
 * The registry of the namespace e2e tests, run inside a namespace by `serve.ts`, and the real
 * client run inside another namespace by `call.ts`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const serveScript = fileURLToPath(new URL('./serve.ts', import.meta.url));
const callScript = fileURLToPath(new URL('./call.ts', import.meta.url));

export type Obj = Record<string, unknown>;

export interface NsRegistry {
  readonly child: ChildProcess;
  readonly port: number;
  /** The DNS port, when the configuration in the data folder enables `[dns]`. */
  readonly dnsPort: number | undefined;
  readonly caFile: string;
}

/** The environment of a child: the test runner's context must not leak into it. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Starts the server inside namespace `ns` on `dataDir` (bound to `host`) and waits for its `{"port","ca","dns"}` line. */
export async function startRegistry(ns: string, dataDir: string, host = '0.0.0.0'): Promise<NsRegistry> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', serveScript, dataDir, host], { cwd: projectRoot, env: childEnv() });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the registry did not serve within 60 s; stderr: ${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the registry exited (${code}) before serving; stderr: ${stderr}`));
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      resolve(out.slice(0, end));
    });
  });
  const serving = JSON.parse(line) as { port: number; ca: string; dns: number | null };
  const caFile = join(dataDir, 'client-ca.pem');
  await writeFile(caFile, serving.ca);
  return { child, port: serving.port, dnsPort: serving.dns ?? undefined, caFile };
}

export async function stopRegistry(registry: NsRegistry | undefined): Promise<void> {
  const child = registry?.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

/**
 * Runs calls with the real client from inside namespace `ns`, connecting to `address` with only
 * the registry's CA: the certificate must name that address. An IPv6 link-local address with its
 * zone (`fe80::1%veth0`) is dialled as call.ts explains.
 */
export async function callFrom(registry: NsRegistry | undefined, ns: string, address: string, calls: readonly [string, Obj][]): Promise<Obj[]> {
  if (registry === undefined) throw new Error('the registry is not running');
  const url = `wss://${address.includes(':') ? `[${address}]` : address}:${registry.port}`;
  const args = ['netns', 'exec', ns, process.execPath, '--import', 'tsx', callScript, url, registry.caFile, JSON.stringify(calls)];
  const { stdout } = await exec('ip', args, { cwd: projectRoot, env: childEnv(), timeout: 60_000 });
  return JSON.parse(stdout) as Obj[];
}
