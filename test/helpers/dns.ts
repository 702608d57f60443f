/**
 * DNS clients for tests: Debian's `dig` (bind9-dnsutils) with its output read into sections, and
 * raw queries over UDP or TCP with dns-packet when a test needs the exact bytes, a chosen source
 * address or no retries. Everything goes to 127.0.0.1 (or an address the test's namespaces own).
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import * as packet from 'dns-packet';
import type { DecodedPacket, Packet, RecordType } from 'dns-packet';

const execFileAsync = promisify(execFile);

/** Runs dig; a machine without it gets a message saying what to install rather than ENOENT. */
async function exec(command: 'dig', args: readonly string[], options: { readonly timeout: number }): Promise<{ stdout: string }> {
  try {
    return await execFileAsync(command, [...args], options);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error('dig is not installed: apt-get install bind9-dnsutils (.ci/run installs it)', { cause: error });
    }
    throw error;
  }
}

/** One record line of dig: `name ttl class type data…`. */
export interface DigRecord {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  readonly data: string;
}

export interface DigAnswer {
  /** `NOERROR`, `NXDOMAIN`, `REFUSED`, `BADVERS`, … */
  readonly status: string;
  /** Header flags: `qr`, `aa`, `tc`, `rd`, `ra`. */
  readonly flags: readonly string[];
  readonly answer: readonly DigRecord[];
  readonly authority: readonly DigRecord[];
  readonly additional: readonly DigRecord[];
  /** The OPT pseudo-section's `udp:` size, when the answer carried one. */
  readonly ednsUdp: number | undefined;
  readonly text: string;
}

function records(text: string, section: string): DigRecord[] {
  const start = text.indexOf(`;; ${section} SECTION:\n`);
  if (start < 0) return [];
  const lines = text.slice(start).split('\n').slice(1);
  const end = lines.findIndex((line) => line.trim() === '');
  return lines.slice(0, end < 0 ? undefined : end).map((line) => {
    const [name = '', ttl = '', , type = '', ...data] = line.split(/\s+/);
    return { name, ttl: Number(ttl), type, data: data.join(' ') };
  });
}

/** Reads dig's default output. */
export function parseDig(text: string): DigAnswer {
  const status = /status: ([A-Z0-9_]+)/.exec(text)?.[1] ?? 'none';
  const flags = /;; flags: ([a-z ]*);/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  const udp = /; EDNS: version: \d+, flags:[^;]*; udp: (\d+)/.exec(text)?.[1];
  return {
    status,
    flags,
    answer: records(text, 'ANSWER'),
    authority: records(text, 'AUTHORITY'),
    additional: records(text, 'ADDITIONAL').filter((r) => r.type !== ''),
    ednsUdp: udp === undefined ? undefined : Number(udp),
    text,
  };
}

/** Runs `dig @127.0.0.1 -p PORT args…` (one try, 2 s) and reads its output. */
export async function dig(port: number, args: readonly string[], server = '127.0.0.1'): Promise<DigAnswer> {
  const { stdout } = await exec('dig', [`@${server}`, '-p', String(port), '+tries=1', '+time=2', ...args], { timeout: 20_000 });
  return parseDig(stdout);
}

/** `dig +short`: the data of each answer record, one per line. */
export async function digShort(port: number, args: readonly string[]): Promise<string[]> {
  const { stdout } = await exec('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', '+short', ...args], { timeout: 20_000 });
  return stdout.split('\n').filter((line) => line !== '');
}

export interface RawQueryOptions {
  /** The local address to send from (any 127.x address is this host's loopback). */
  readonly from?: string;
  /** ms to wait for each answer. */
  readonly timeoutMs?: number;
}

/**
 * Sends `queries` at once over UDP from one socket and collects the answers that arrive within
 * the wait after the last one; answers are matched by id.
 */
export async function udpQueries(port: number, queries: readonly Packet[], options: RawQueryOptions = {}): Promise<Map<number, DecodedPacket>> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, options.from ?? '127.0.0.1', resolve));
  const answers = new Map<number, DecodedPacket>();
  try {
    return await new Promise((resolve) => {
      let timer = setTimeout(() => resolve(answers), options.timeoutMs ?? 2_000);
      socket.on('message', (message) => {
        const decoded = packet.decode(message);
        answers.set(decoded.id ?? -1, decoded);
        if (answers.size === queries.length) {
          clearTimeout(timer);
          resolve(answers);
        } else {
          clearTimeout(timer);
          timer = setTimeout(() => resolve(answers), options.timeoutMs ?? 2_000);
        }
      });
      for (const query of queries) socket.send(packet.encode(query), port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** One query over UDP, raw bytes in and out (undefined when nothing came back in time). */
export async function udpExchange(port: number, bytes: Buffer, options: RawQueryOptions = {}): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, options.from ?? '127.0.0.1', resolve));
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 2_000);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send(bytes, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** Sends several queries down one TCP connection (pipelined) and reads as many answers. */
export async function tcpQueries(port: number, queries: readonly Packet[]): Promise<DecodedPacket[]> {
  const socket = connect(port, '127.0.0.1');
  try {
    return await new Promise((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      const answers: DecodedPacket[] = [];
      const timer = setTimeout(() => reject(new Error(`only ${answers.length} of ${queries.length} TCP answers within 10 s`)), 10_000);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          answers.push(packet.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
          buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        }
        if (answers.length === queries.length) {
          clearTimeout(timer);
          resolve(answers);
        }
      });
      socket.write(Buffer.concat(queries.map((q) => packet.streamEncode(q))));
    });
  } finally {
    socket.destroy();
  }
}

/** A query for `name`/`type` with recursion desired, as stub resolvers send it; with an OPT record unless `edns` is false. */
export const question = (id: number, name: string, type: RecordType, edns = true): Packet => ({
  type: 'query',
  id,
  flags: packet.RECURSION_DESIRED,
  questions: [{ type, name, class: 'IN' }],
  ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
});

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

/** The header RCODE of a decoded answer, by name (the types of dns-packet do not carry it). */
export const rcodeOf = (answer: DecodedPacket): string => RCODE_NAMES[(answer.flags ?? 0) & 0xf] ?? `RCODE_${(answer.flags ?? 0) & 0xf}`;

/** The data of each answer record (undefined for an OPT). */
export const answerData = (answer: DecodedPacket): unknown[] => (answer.answers ?? []).map((record) => ('data' in record ? record.data : undefined));
