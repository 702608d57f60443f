import { spawn } from 'node:child_process';
import type { CheckTarget, CheckVerdict } from '../../domain/index.js';
import { describeFailure, type ProbeContext } from './context.js';

type ScriptTarget = Extract<CheckTarget, { kind: 'script' }>;

const MAX_OUTPUT_BYTES = 8 * 1024;

/** Scripts get a plain environment, not the server's (which may hold credentials). */
function scriptEnv(): NodeJS.ProcessEnv {
  const { PATH = '/usr/local/bin:/usr/bin:/bin', HOME, LANG } = process.env;
  return { PATH, ...(HOME === undefined ? {} : { HOME }), ...(LANG === undefined ? {} : { LANG }) };
}

/** Nagios and Consul read exit codes so: 0 passing, 1 warning, anything else critical. */
const verdictOf = (code: number | null): CheckVerdict => (code === 0 ? 'pass' : code === 1 ? 'warn' : 'fail');

/**
 * Runs the command on this host without a shell, in its own process group, with no stdin. At the
 * timeout the whole group is killed, so a script's children cannot outlive the check.
 */
export function probeScript(target: ScriptTarget, ctx: ProbeContext): Promise<{ verdict: CheckVerdict; output: string }> {
  const [program = '', ...args] = target.command;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: scriptEnv() });
    const collect = (chunk: Buffer): void => {
      if (size < MAX_OUTPUT_BYTES) chunks.push(chunk.subarray(0, MAX_OUTPUT_BYTES - size));
      size += chunk.length;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    ctx.signal.addEventListener('abort', killGroup, { once: true });
    let failure: Error | undefined;
    child.once('error', (error) => (failure = error));
    child.once('close', (code) => {
      ctx.signal.removeEventListener('abort', killGroup);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (failure !== undefined) return resolve({ verdict: 'fail', output: `${program}: ${describeFailure(failure, ctx)}` });
      if (ctx.signal.aborted) return resolve({ verdict: 'fail', output: `${program}: killed, ${describeFailure(undefined, ctx)}${text === '' ? '' : `; ${text}`}` });
      resolve({ verdict: verdictOf(code), output: text === '' ? `${program} exited with ${String(code)}` : text });
    });
  });
}
