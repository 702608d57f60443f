import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { RegistryError } from '../domain/index.js';
import { acceptsKey, type HostKeyPolicy, type HostKeySource, hostKeyMismatch } from './host-key.js';

/** The most of each output stream a command result keeps (its tail). */
export const OUTPUT_TAIL_BYTES = 8 * 1024;

export interface ExecResult {
  readonly code: number | null;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ConnectOptions {
  readonly node: HostKeySource & { readonly sshUser: string };
  readonly privateKey: Buffer;
  readonly policy: HostKeyPolicy;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** A command or transfer ended by its time limit or by the deployment's abort signal. */
export function interrupted(what: string, signal: AbortSignal, timeoutMs: number): RegistryError {
  return signal.aborted
    ? new RegistryError('unavailable', `${what} was aborted: ${String(signal.reason instanceof Error ? signal.reason.message : (signal.reason ?? 'cancelled'))}`)
    : new RegistryError('deployment_failed', `${what} did not finish within ${timeoutMs} ms`);
}

class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= OUTPUT_TAIL_BYTES) this.size -= this.chunks.shift()?.length ?? 0;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - OUTPUT_TAIL_BYTES)).toString('utf8');
  }
}

interface Settle<T> {
  ok(value: T): void;
  fail(error: Error): void;
}

/** Runs `body` with a time limit and the abort signal; `stop` undoes what is running when either fires. */
function bounded<T>(
  what: string,
  limits: { readonly signal: AbortSignal; readonly timeoutMs: number },
  stop: () => void,
  body: (settle: Settle<T>) => void,
): Promise<T> {
  const { signal, timeoutMs } = limits;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const end = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', cut);
      return true;
    };
    const settle: Settle<T> = {
      ok: (value) => end() && resolve(value),
      fail: (error) => end() && reject(error),
    };
    function cut(): void {
      settle.fail(interrupted(what, signal, timeoutMs));
      stop();
    }
    const timer = setTimeout(cut, timeoutMs);
    signal.addEventListener('abort', cut, { once: true });
    if (signal.aborted) cut();
    else body(settle);
  });
}

/** One SSH connection to a node, its host key verified before anything is sent. */
export class SshSession {
  private closing: Promise<void> | undefined;
  private ended = false;

  private constructor(private readonly client: Client) {
    client.once('close', () => {
      this.ended = true;
    });
    // After `ready`, a dropped connection surfaces as the failure of the command or transfer running.
    client.on('error', () => undefined);
  }

  static async open(options: ConnectOptions): Promise<SshSession> {
    const { node, policy, signal, timeoutMs } = options;
    const client = new Client();
    let offered: Buffer | undefined;
    const where = `connecting to node '${node.name}' (${node.sshUser}@${node.host}:${node.sshPort})`;
    await bounded<void>(where, { signal, timeoutMs }, () => client.destroy(), (settle) => {
      client.once('ready', () => settle.ok(undefined));
      client.once('error', (error) => {
        if (offered !== undefined && !acceptsKey(policy, offered)) settle.fail(hostKeyMismatch(node, policy, offered));
        else settle.fail(new RegistryError('deployment_failed', `${where} failed: ${error.message}`, { cause: error }));
      });
      client.connect({
        host: node.host,
        port: node.sshPort,
        username: node.sshUser,
        privateKey: options.privateKey,
        readyTimeout: timeoutMs,
        algorithms: { serverHostKey: [...policy.algorithms] },
        hostVerifier: (key: Buffer): boolean => {
          offered = key;
          return acceptsKey(policy, key);
        },
      });
    }).catch((error: unknown) => {
      client.destroy();
      throw error;
    });
    return new SshSession(client);
  }

  /** Runs a command; resolves with its exit code and output tails whatever the code. */
  exec(command: string, options: { readonly timeoutMs: number; readonly signal: AbortSignal; readonly what: string }): Promise<ExecResult> {
    let channel: ClientChannel | undefined;
    return bounded<ExecResult>(options.what, options, () => channel?.close(), (settle) => {
      this.client.exec(command, (error, stream) => {
        if (error !== undefined && error !== null) {
          settle.fail(new RegistryError('deployment_failed', `${options.what}: cannot run a command: ${error.message}`, { cause: error }));
          return;
        }
        channel = stream;
        const stdout = new Tail();
        const stderr = new Tail();
        stream.on('data', (chunk: Buffer) => stdout.add(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
        stream.on('close', (code: number | null, signal: string | undefined) => {
          settle.ok({ code: code ?? null, signal: signal ?? undefined, stdout: stdout.text(), stderr: stderr.text() });
        });
      });
    });
  }

  /** Copies a local file to a remote path over SFTP; `onProgress` sees the bytes sent so far. */
  upload(
    local: string,
    remote: string,
    options: { readonly timeoutMs: number; readonly signal: AbortSignal; readonly onProgress: (sent: number, total: number) => void },
  ): Promise<void> {
    let sftp: SFTPWrapper | undefined;
    return bounded<void>(`uploading to ${remote}`, options, () => sftp?.end(), (settle) => {
      this.client.sftp((error, opened) => {
        if (error !== undefined && error !== null) {
          settle.fail(new RegistryError('deployment_failed', `cannot open SFTP: ${error.message}`, { cause: error }));
          return;
        }
        sftp = opened;
        opened.fastPut(local, remote, { step: (sent, _chunk, total) => options.onProgress(sent, total) }, (putError) => {
          opened.end();
          if (putError === undefined || putError === null) settle.ok(undefined);
          else settle.fail(new RegistryError('deployment_failed', `SFTP upload to ${remote} failed: ${putError.message}`, { cause: putError }));
        });
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.ended) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, 2_000);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
    return this.closing;
  }
}
