/**
 * A registry server in a child process, for tests that must kill it (SIGKILL mid-write) or
 * read its memory from /proc. This file is both the helper (`spawnServerProcess`) and the
 * script the child runs: `node --import tsx test/helpers/server-process.ts <dataDir> [storeUrl]`.
 * The script serves on 127.0.0.1 with an OS-picked port and prints one JSON line,
 * `{"url":…,"ca":…}`, on stdout once it is serving.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, startServer } from '../../src/server/index.js';

const scriptPath = fileURLToPath(import.meta.url);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly url: string;
  readonly caPem: string | undefined;
  readonly child: ChildProcess;
  readonly pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the child has exited; never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** The child's resident set size (VmRSS from /proc/<pid>/status), in bytes. */
  rssBytes(): Promise<number>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has exited. */
  close(graceMs?: number): Promise<void>;
}

export interface SpawnServerOptions {
  /** How long to wait for the "serving" line. @default 30_000 */
  readonly startTimeoutMs?: number;
  /** Serve from this store (a `postgres://` URL) instead of the SQLite file in `dataDir`. */
  readonly storeUrl?: string;
}

interface ServingLine {
  readonly url: string;
  readonly ca: string | null;
}

function isServingLine(value: unknown): value is ServingLine {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && (typeof v.ca === 'string' || v.ca === null);
}

/** Starts the script below in a child process on `dataDir` and waits until it serves. */
export async function spawnServerProcess(dataDir: string, options: SpawnServerOptions = {}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the child is a server, not a test file reporting to this runner
  const args = [scriptPath, dataDir, ...(options.storeUrl === undefined ? [] : [options.storeUrl])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: projectRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const pid = child.pid;
  const close = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    if (pid === undefined) throw new Error('the server process did not start');
    const serving = await readServingLine(child, exited, options.startTimeoutMs ?? 30_000, () => stderr);
    return {
      url: serving.url,
      caPem: serving.ca ?? undefined,
      child,
      pid,
      kill: (signal) => {
        child.kill(signal);
      },
      exited,
      rssBytes: () => readRss(pid),
      close,
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

function readServingLine(child: ChildProcess, exited: Promise<ProcessExit>, timeoutMs: number, stderr: () => string): Promise<ServingLine> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the server process did not serve within ${timeoutMs} ms; stderr: ${stderr()}`)), timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server process exited (code ${code}, signal ${signal}) before serving; stderr: ${stderr()}`));
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      const line = buffered.slice(0, end);
      clearTimeout(timer);
      try {
        const value: unknown = JSON.parse(line);
        if (!isServingLine(value)) throw new Error(`unexpected serving line: ${line}`);
        resolve(value);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** The child's side: serve `dataDir` until SIGTERM or until the parent closes stdin. */
async function serve(dataDir: string, storeUrl: string | undefined): Promise<void> {
  const configPath = join(dataDir, 'backends.toml');
  await access(configPath).catch(() => writeFile(configPath, ''));
  const flags = { host: '127.0.0.1', port: 0, dataDir, configPath, ...(storeUrl === undefined ? {} : { storeUrl }) };
  const load = () => loadConfig({ flags, env: {}, cwd: dataDir });
  const server = await startServer({ config: await load(), reloadConfig: load, logger: createLogger({ level: 'silent' }) });
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
  process.stdout.write(`${JSON.stringify({ url: server.url, ca: server.caPem ?? null })}\n`);
}

if (process.argv[1] === scriptPath) {
  const dataDir = process.argv[2];
  if (dataDir === undefined) {
    process.stderr.write('usage: server-process.ts <dataDir> [storeUrl]\n');
    process.exitCode = 2;
  } else {
    serve(dataDir, process.argv[3]).catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
      process.stdin.destroy();
    });
  }
}
