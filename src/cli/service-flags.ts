/**
 * The repeatable flags of `register` that describe a service entry: `--tag T`, `--meta k=v`,
 * `--endpoint name=proto://port`, `--address net=ip`, `--allocate NETWORK`. Each is parsed into
 * the wire's own field (`tags`, `metadata`, `endpoints`, `addresses`, `allocate`); the server
 * validates the values, the CLI only the shape of each flag.
 */
import { InvalidArgumentError } from '../client/index.js';
import { type OptionBag } from './flags.js';

/** The networks a service's addresses are kept under (`addresses` on the wire). */
export const addressNetworks = ['local', 'lan', 'wireguard', 'public'] as const;
type AddressNetwork = (typeof addressNetworks)[number];

const isAddressNetwork = (value: string): value is AddressNetwork => addressNetworks.some((network) => network === value);

/** A commander parser that collects every use of a repeatable flag, in order. */
export const repeatable = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? previous.map(String) : []), value];

/** `key=value` at its first `=`; `flag` and `example` name the flag in the error. */
function keyValue(text: string, flag: string, example: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`${flag} '${text}': must be ${example}`);
  return [text.slice(0, equals), text.slice(equals + 1)];
}

const list = (options: OptionBag, key: string): string[] | undefined => {
  const value = options[key];
  return Array.isArray(value) && value.length > 0 ? value.map(String) : undefined;
};

export interface EndpointFlag {
  readonly name: string;
  readonly port: number;
  readonly protocol?: string;
}

/** `http=http://8080` (or `http=8080`, the server's default protocol) → an endpoint. */
export function parseEndpoint(text: string): EndpointFlag {
  const [name, target] = keyValue(text, '--endpoint', 'name=proto://port, such as http=http://8080');
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\d{1,5})$/.exec(target);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError(`--endpoint '${text}': must be name=proto://port with a port from 1 to 65535, such as http=http://8080`);
  }
  const protocol = match[1];
  return protocol === undefined ? { name, port } : { name, port, protocol };
}

/** The entry fields the flags give, only those given: a flag left out leaves the field to its default. */
export function serviceEntryFlags(options: OptionBag) {
  const metadata = list(options, 'meta')?.map((text) => keyValue(text, '--meta', 'key=value, such as team=core'));
  const addresses = list(options, 'address')?.map((text) => {
    const [network, address] = keyValue(text, '--address', `network=ip with network one of ${addressNetworks.join(', ')}, such as lan=192.168.1.20`);
    if (!isAddressNetwork(network)) throw new InvalidArgumentError(`--address '${text}': the network must be one of ${addressNetworks.join(', ')}`);
    return [network, address] as const;
  });
  const tags = list(options, 'tag');
  const endpoints = list(options, 'endpoint')?.map(parseEndpoint);
  const allocate = list(options, 'allocate');
  return {
    ...(tags === undefined ? {} : { tags }),
    ...(metadata === undefined ? {} : { metadata: unique(metadata, '--meta') }),
    ...(endpoints === undefined ? {} : { endpoints }),
    ...(addresses === undefined ? {} : { addresses: unique(addresses, '--address') }),
    ...(allocate === undefined ? {} : { allocate }),
  };
}

/** Pairs as an object; a key given twice is a mistake, not "the last one wins". */
function unique<K extends string>(pairs: readonly (readonly [K, string])[], flag: string): Partial<Record<K, string>> {
  const result: Partial<Record<K, string>> = {};
  for (const [key, value] of pairs) {
    if (result[key] !== undefined) throw new InvalidArgumentError(`${flag}: '${key}' is given twice`);
    result[key] = value;
  }
  return result;
}
