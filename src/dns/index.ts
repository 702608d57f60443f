/** @module dns — the DNS interface (issue 18): an adapter onto resolve and the other reads, like a dialect. */
export { type ZoneAnswer, ZoneAnswerer } from './answers.js';
export { type DnsName, parseName } from './names.js';
export { EDNS_UDP_PAYLOAD, PLAIN_UDP_PAYLOAD } from './packets.js';
export { DEFAULT_DNS_TCP_CONNECTIONS, DEFAULT_DNS_TCP_IDLE_MS, DnsListener, type DnsListenerOptions } from './server.js';
export type { DnsAsk, DnsOperationName, DnsSource, Zone } from './types.js';
