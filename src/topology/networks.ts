import type { Cidr } from '../domain/index.js';
import type { ConfiguredNetwork, NetworkBlock } from './types.js';

/** The parsed block of each configured network this module made, so nothing parses its text again. */
const blocks = new WeakMap<ConfiguredNetwork, Cidr>();

/**
 * The configured networks as the topology snapshot shows them (`get_topology`: name, kind and the
 * block's text), from the networks the configuration parsed. Each remembers its parsed block for
 * classification and placement.
 */
export function configuredNetworks(networks: readonly NetworkBlock[]): ConfiguredNetwork[] {
  return networks.map(({ name, kind, cidr }) => {
    const shown: ConfiguredNetwork = Object.freeze({ name, kind, cidr: cidr.text });
    blocks.set(shown, cidr);
    return shown;
  });
}

/** The block of a configured network. One that `configuredNetworks()` did not make is a bug in whoever built it. */
export function configuredCidr(network: ConfiguredNetwork): Cidr {
  const cidr = blocks.get(network);
  if (cidr === undefined) throw new Error(`configured network ${network.name} was not made by configuredNetworks()`);
  return cidr;
}
