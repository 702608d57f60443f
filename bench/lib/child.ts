/**
 * Child processes of the bench: a Node script (run through tsx unless told otherwise) that prints
 * one JSON line on stdout once it is ready, then runs until SIGTERM or until its stdin closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Phase, timed } from './phases.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BenchChild {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The parsed ready line. */
  readonly ready: unknown;
  /** Milliseconds from spawn to the ready line. */
  readonly readyAfterMs: number;
  readonly exited: Promise<ChildExit>;
  /** Text the child wrote on stderr (the first 64 KiB). */
  stderr(): string;
  rssBytes(): Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  close(graceMs?: number): Promise<ChildExit>;
}

export interface SpawnChildOptions {
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** @default 60_000 */
  readonly readyTimeoutMs?: number;
  /** Called with each stdout line after the ready line. */
  readonly onLine?: (line: string) => void;
  /** Raise the soft open-file limit to the hard one first (`ulimit -n` in a shell that then execs node). */
  readonly raiseFdLimit?: boolean;
  /** Load tsx first (a TypeScript script, or sources it imports); false runs plain `node`. @default true */
  readonly tsx?: boolean;
  /** The phase spawn → ready counts to (`measure` for a child whose start is the measurement). @default 'start' */
  readonly phase?: Phase;
}

/** The shell line that raises the soft file limit, then replaces itself with the command after it. */
const RAISE_FD_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/** Starts `node [--import tsx] <script> ...args` and waits for its first stdout line. */
export async function spawnChild(script: string, args: readonly string[], options: SpawnChildOptions = {}): Promise<BenchChild> {
  const started = performance.now();
  const nodeArgs = [...(options.nodeFlags ?? []), ...(options.tsx === false ? [] : ['--import', 'tsx']), script, ...args];
  const [command, argv] = options.raiseFdLimit
    ? ['/bin/sh', ['-c', RAISE_FD_LIMIT, 'sh', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, argv, { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const pid = child.pid;
  const close = (graceMs = 15_000): Promise<ChildExit> => timed('stop', () => stopChild(child, exited, graceMs));
  try {
    if (pid === undefined) throw new Error(`${script} did not start`);
    const line = await timed(options.phase ?? 'start', () => firstLine(child, exited, options, () => stderr));
    const readyAfterMs = performance.now() - started;
    return { pid, child, ready: JSON.parse(line), readyAfterMs, exited, stderr: () => stderr, rssBytes: () => readRss(pid), close };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<ChildExit>, graceMs: number): Promise<ChildExit> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') child.kill('SIGKILL');
  }
  return exited;
}

function firstLine(child: ChildProcess, exited: Promise<ChildExit>, options: SpawnChildOptions, stderr: () => string): Promise<string> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    let buffered = '';
    let seen = false;
    const timer = setTimeout(() => reject(new Error(`child not ready within ${timeoutMs} ms; stderr: ${stderr()}`)), timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!seen) reject(new Error(`child exited (code ${code}, signal ${signal}) before it was ready; stderr: ${stderr()}`));
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (seen) {
          options.onLine?.(line);
          continue;
        }
        seen = true;
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

/** VmRSS of a process, in bytes. */
export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU time a process has used so far, in seconds (from /proc/<pid>/stat). */
export async function readCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** Reads a field of an unknown JSON object, or throws naming it. */
export function field<T>(value: unknown, name: string, check: (v: unknown) => v is T): T {
  if (typeof value !== 'object' || value === null || !(name in value)) throw new Error(`missing field '${name}' in ${JSON.stringify(value)}`);
  const got: unknown = (value as Record<string, unknown>)[name];
  if (!check(got)) throw new Error(`field '${name}' has an unexpected value: ${JSON.stringify(got)}`);
  return got;
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
