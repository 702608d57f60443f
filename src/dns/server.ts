/**
 * The DNS listener: one UDP socket and one TCP server on the same port of `[server] host`. It is
 * bound first (a start that cannot have its port fails before anything is written) and answers
 * only once `serve` gives it the zone; until then every query gets SERVFAIL.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, type AddressInfo, createServer, type Server as TcpServer, type Socket } from 'node:net';
import { isWildcardAddress } from '../domain/index.js';
import { headerOnly, respond, type Transport } from './packets.js';
import { serveTcpConnection } from './tcp.js';
import type { DnsSource, Zone } from './types.js';
import type { ZoneAnswerer } from './answers.js';

/** Seconds a TCP connection may stay silent before it is closed (RFC 7766 §6.2.3 asks for seconds, not minutes). */
export const DEFAULT_DNS_TCP_IDLE_MS = 10_000;
/** Open TCP connections in all; past it a new one is closed at once (UDP still answers). */
export const DEFAULT_DNS_TCP_CONNECTIONS = 1_024;
/** Tries at finding one free port for both UDP and TCP when the port is 0. */
const PORT_ATTEMPTS = 8;

export interface DnsListenerOptions {
  readonly host: string;
  /** 0: the OS picks a port free for TCP, and UDP takes the same one. */
  readonly port: number;
  /** Whether a query from `address` may be answered now (the per-source rate limit). */
  readonly admit: (address: string) => boolean;
  readonly onError: (error: unknown) => void;
  /** @default DEFAULT_DNS_TCP_IDLE_MS */
  readonly tcpIdleMs?: number;
  /** @default DEFAULT_DNS_TCP_CONNECTIONS */
  readonly maxTcpConnections?: number;
}

interface Serving {
  readonly zone: Zone;
  readonly answerer: ZoneAnswerer;
}


function bindUdp(host: string, port: number): Promise<UdpSocket> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: TcpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const closeTcp = (server: TcpServer): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

export class DnsListener {
  readonly closed: Promise<void | Error>;
  private resolveClosed: (reason: void | Error) => void = () => {};
  private closing: Promise<void> | undefined;
  private serving: Serving | undefined;
  private readonly connections = new Set<Socket>();
  /** The address queries arrive on, when the listener is bound to one (not a wildcard). */
  readonly boundAddress: string | undefined;

  private constructor(
    private readonly options: DnsListenerOptions,
    private readonly udp: UdpSocket,
    private readonly tcp: TcpServer,
    readonly port: number,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.boundAddress = isWildcardAddress(options.host) ? undefined : udp.address().address;
    udp.on('message', (message, remote) => this.onDatagram(message, remote));
    udp.on('error', (error) => options.onError(error));
    tcp.on('connection', (socket) => this.onConnection(socket));
    tcp.on('error', (error) => options.onError(error));
  }

  /** Binds TCP, then UDP on the same port; with port 0, tries again when UDP finds it taken. */
  static async bind(options: DnsListenerOptions): Promise<DnsListener> {
    for (let attempt = 1; ; attempt++) {
      const tcp = createServer();
      const port = await listenTcp(tcp, options.host, options.port);
      try {
        return new DnsListener(options, await bindUdp(options.host, port), tcp, port);
      } catch (error) {
        await closeTcp(tcp);
        const taken = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
        if (!taken || options.port !== 0 || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  /** From now on queries are answered from `answerer`. */
  serve(zone: Zone, answerer: ZoneAnswerer): void {
    this.serving = { zone, answerer };
  }

  private async answer(message: Buffer, source: DnsSource): Promise<Buffer | undefined> {
    if (!this.options.admit(source.address)) {
      // Over the limit: UDP gets nothing (a forged source cannot aim our answers at anyone); TCP, whose source is proven, is refused.
      return source.transport === 'tcp' && message.length >= 12 ? headerOnly(message, 'REFUSED') : undefined;
    }
    const serving = this.serving;
    if (serving === undefined) return message.length >= 12 ? headerOnly(message, 'SERVFAIL') : undefined;
    const { zone, answerer } = serving;
    return respond(message, {
      transport: source.transport,
      zone,
      answer: (question) => answerer.answer(question.name, question.type, source),
      onError: this.options.onError,
    });
  }

  private onDatagram(message: Buffer, remote: RemoteInfo): void {
    const local = this.boundAddress;
    const source: DnsSource = { address: remote.address, port: remote.port, transport: 'udp', ...(local === undefined ? {} : { localAddress: local }) };
    this.answer(message, source).then(
      (reply) => {
        if (reply !== undefined && this.closing === undefined) this.udp.send(reply, remote.port, remote.address, (error) => error && this.options.onError(error));
      },
      (error: unknown) => this.options.onError(error),
    );
  }

  private onConnection(socket: Socket): void {
    const { remoteAddress, remotePort, localAddress } = socket;
    if (this.closing !== undefined || remoteAddress === undefined || this.connections.size >= (this.options.maxTcpConnections ?? DEFAULT_DNS_TCP_CONNECTIONS)) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.options.tcpIdleMs ?? DEFAULT_DNS_TCP_IDLE_MS, () => socket.destroy());
    const transport: Transport = 'tcp';
    const source: DnsSource = { address: remoteAddress, port: remotePort ?? 0, transport, ...(localAddress === undefined ? {} : { localAddress }) };
    serveTcpConnection(socket, (message) => this.answer(message, source), this.options.onError);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    const udpClosed = new Promise<void>((resolve) => this.udp.close(() => resolve()));
    const tcpClosed = closeTcp(this.tcp);
    for (const socket of this.connections) socket.destroy();
    await Promise.all([udpClosed, tcpClosed]);
    this.resolveClosed();
  }
}
