/**
 * Helpers for the security tests: a server with a configuration file of the test's own, raw
 * sockets that carry a bearer header or a client certificate, and a look at a refused upgrade.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { asServiceId, type GrantedRole, newService, type ServiceFields } from '../../src/domain/index.js';
import { issueClientCertificate } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/test-server.js';

export type Obj = Record<string, unknown>;

/** A test server whose configuration file holds `toml` (e.g. `[limits]`, `[auth]`). */
export async function startConfiguredServer(toml: string, options: Omit<TestServerOptions, 'dataDir'> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-security-'));
  await chmod(dataDir, 0o755);
  await writeFile(join(dataDir, 'backends.toml'), toml);
  try {
    const server = await startTestServer({ ...options, dataDir });
    return {
      ...server,
      close: async () => {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export interface SocketOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly headers?: Record<string, string>;
  /** Answer pings (the default); false plays a peer that vanished. */
  readonly autoPong?: boolean;
}

/** A raw WebSocket that reads answers in order; frames are parsed JSON. */
export interface TestSocket {
  readonly socket: WebSocket;
  send(frame: unknown): void;
  next(timeoutMs?: number): Promise<Obj>;
  /** Sends one frame and reads the next answer. */
  call(frame: unknown, timeoutMs?: number): Promise<Obj>;
  /** Resolves with the close code and reason once the socket closes. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  close(): Promise<void>;
}

export async function openSocket(url: string, options: SocketOptions = {}): Promise<TestSocket> {
  const socket = new WebSocket(url, {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.cert === undefined ? {} : { cert: options.cert }),
    ...(options.key === undefined ? {} : { key: options.key }),
    headers: options.headers ?? {},
    perMessageDeflate: false,
    autoPong: options.autoPong ?? true,
  });
  const queue: Obj[] = [];
  const waiters: Array<(frame: Obj) => void> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Obj;
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else queue.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const next = (timeoutMs = 5_000): Promise<Obj> => {
    const ready = queue.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const wrapped = (frame: Obj): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(wrapped), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(wrapped);
    });
  };
  return {
    socket,
    send: (frame) => socket.send(JSON.stringify(frame)),
    next,
    call: (frame, timeoutMs) => {
      socket.send(JSON.stringify(frame));
      return next(timeoutMs);
    },
    closed,
    close: async () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      const timer = setTimeout(() => socket.terminate(), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** A socket that holds `role` by a client certificate the server's own CA issues (for servers where loopback grants nothing). */
export async function openCertifiedSocket(srv: TestServer, role: GrantedRole = 'admin'): Promise<TestSocket> {
  const pair = await issueClientCertificate({ dataDir: srv.dataDir, name: `operator-${role}`, role });
  return openSocket(srv.url, { ca: srv.caPem, cert: pair.certPem, key: pair.keyPem });
}

/** How an upgrade was refused: the HTTP status and the body, which says why. */
export function refusalOf(url: string, options: SocketOptions = {}): Promise<{ readonly status: number; readonly body: string; readonly contentType: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key }),
      headers: options.headers ?? {},
    });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error(`the upgrade to ${url} was accepted`));
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => {
        socket.terminate();
        resolve({ status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type'] ?? '') });
      });
    });
    socket.once('error', (error) => reject(error));
  });
}

/** One call in the action envelope. */
export const envelope = (id: string, action: string, params: unknown = {}): Obj => ({ id, type: 'request', action, params });

/** The error code of an envelope answer, or undefined when it succeeded. */
export const envelopeCode = (answer: Obj): string | undefined => {
  const error = answer.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as Obj).code;
  return typeof code === 'string' ? code : 'unknown';
};

/**
 * Writes services straight into the store of a data folder before a server opens it, as an older
 * server or another writer would have left them (the edge's checks do not apply), `perWrite` to a
 * write: each write is one revision with one ServiceRegistered event per service.
 */
export async function seedServices(dataDir: string, entries: readonly (ServiceFields & { readonly name: string })[], perWrite = entries.length): Promise<void> {
  const store = await openStore({ location: join(dataDir, 'registry.db') });
  try {
    const writes: Promise<unknown>[] = [];
    for (let start = 0; start < entries.length; start += Math.max(1, perWrite)) {
      const slice = entries.slice(start, start + Math.max(1, perWrite));
      writes.push(
        store.write(async (tx) => {
          for (const { name, ...fields } of slice) {
            const service = newService(fields, { id: asServiceId(randomUUID()), name, source: 'manual', now: Date.now(), revision: tx.revision });
            await tx.services.put(service);
            tx.emit({ type: 'ServiceRegistered', service });
          }
        }),
      );
    }
    await Promise.all(writes);
  } finally {
    await store.close();
  }
}
