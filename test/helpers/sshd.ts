/**
 * A real OpenSSH server on 127.0.0.1 for deployment tests: its own config, a throwaway
 * ed25519 host key and user key, run in the foreground as a child and stopped by its pid.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SSHD_PATH = '/usr/sbin/sshd';

export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The folder holding keys and config (mode 0755; removed on close). */
  readonly dir: string;
  /** `ssh-ed25519 AAAA…` of the server. */
  readonly hostKeyLine: string;
  /** Path of the client's private key, authorized for `user`. */
  readonly clientKey: string;
  readonly pid: number;
  close(): Promise<void>;
}

/** Why sshd cannot run here, or undefined when it can (root, the binary, ssh-keygen). */
export async function sshdUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'deployment tests start sshd and need root';
  const present = await access(SSHD_PATH).then(
    () => true,
    () => false,
  );
  if (!present) return `${SSHD_PATH} is not installed (Debian openssh-server)`;
  return undefined;
}

/** A port nobody listens on right now: bind port 0, read it, close (sshd has no port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was bound');
  return address.port;
}

export async function keygen(path: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'registry-test', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => finish(new Error(`sshd did not start within ${timeoutMs} ms: ${log}`)), timeoutMs);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (/Server listening on/.test(log)) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`sshd exited with code ${String(code)}: ${log}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startSshd(): Promise<Sshd> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'registry-sshd-'));
  await chmod(dir, 0o755);
  try {
    const hostKeyLine = await keygen(join(dir, 'host_ed25519'));
    const clientKey = join(dir, 'client_ed25519');
    await writeFile(join(dir, 'authorized_keys'), `${await keygen(clientKey)}\n`, { mode: 0o600 });
    const port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      `PidFile ${join(dir, 'sshd.pid')}`,
      'LogLevel INFO',
    ].join('\n');
    await writeFile(join(dir, 'sshd_config'), `${config}\n`);
    const child = spawn(SSHD_PATH, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitForListening(child, 10_000).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    child.stderr?.resume();
    const pid = child.pid ?? 0;
    return {
      host: '127.0.0.1',
      port,
      user: userInfo().username,
      dir,
      hostKeyLine,
      clientKey,
      pid,
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          process.kill(pid, 'SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
