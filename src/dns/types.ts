import type { InputOf, OperationByName, OutputOf } from '../operations/index.js';

/** The operations DNS answers from: the same reads, roles and rules as every dialect. */
export type DnsOperationName = 'resolve' | 'get_service' | 'list_services' | 'list_nodes';

/** Where a query came from: the caller's place for `resolve`, and the key of the rate limit. */
export interface DnsSource {
  readonly address: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp';
  /** The address the query arrived on, when the socket tells it (TCP, or UDP bound to one address). */
  readonly localAddress?: string;
}

/**
 * Runs one operation of the table for a caller standing at `source` and returns its output; a
 * refusal throws its RegistryError. The server wires it onto the operation table.
 */
export type DnsAsk = <N extends DnsOperationName>(op: N, input: InputOf<OperationByName<N>>, source: DnsSource) => Promise<OutputOf<OperationByName<N>>>;

/** The zone as `[dns]` configures it, in the form answers need. */
export interface Zone {
  /** Lowercase with the trailing dot: `registry.`. */
  readonly domain: string;
  readonly ttl: number;
  readonly negativeTtl: number;
  readonly txtMetadata: boolean;
  /** The address `ns.<domain>` answers with: the listener's own, when it is bound to one. */
  readonly nameServerAddress?: string;
  /** The SOA serial: the last revision this server applied. */
  serial(): number;
}
