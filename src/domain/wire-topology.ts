/** Topology and resolution on the wire (README "Topology and resolution"). */
import { z } from 'zod';
import { networkKinds } from './service.js';
import { unixSeconds } from './wire-common.js';

/** One address of the registry's host as detection classified it. */
export const topologyAddressWire = z.object({
  interface: z.string(),
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  network: z.enum(networkKinds),
  reason: z.string(),
  cidr: z.string().optional(),
});

export const hostTopologyWire = z.object({
  host_id: z.string(),
  scanned_at: unixSeconds,
  addresses: z.array(topologyAddressWire),
  networks: z.array(z.object({ name: z.string(), kind: z.enum(['lan', 'wireguard']), cidr: z.string() })),
});

/** An endpoint of a service as the caller can reach it, with the network and why. */
export const resolvedEndpointWire = z.object({
  service: z.string(),
  endpoint: z.string(),
  address: z.string(),
  port: z.number().int(),
  protocol: z.string(),
  network: z.enum(networkKinds),
  reason: z.string(),
});
export const resolvedEndpointListWire = z.array(resolvedEndpointWire);

/** `<NAME>_ADDR=host:port` lines. */
export const envWire = z.object({ lines: z.array(z.string()) });

export type HostTopologyWire = z.output<typeof hostTopologyWire>;
export type ResolvedEndpointWire = z.output<typeof resolvedEndpointWire>;
