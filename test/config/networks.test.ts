import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const parse = (text: string) => parseConfig(text, { configPath: '/etc/registry/backends.toml', env: {} });

function rejection(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected the configuration to be rejected');
}

const network = (name: string, cidr: string, extra = '') => `[[network]]\nname = "${name}"\nkind = "wireguard"\ncidr = "${cidr}"\n${extra}\n`;

describe('[[network]] configuration', () => {
  it('keeps valid networks as written, IPv4 and IPv6, with gateway and reserved entries', () => {
    const config = parse(
      network('wg0', '10.8.0.0/24', 'gateway = "10.8.0.1"\nreserved = ["10.8.0.2", "10.8.0.10-10.8.0.20"]') + network('wg6', 'fd00:8::/64'),
    );
    assert.deepEqual(
      config.networks.map((n) => n.definition),
      [
        { name: 'wg0', kind: 'wireguard', cidr: '10.8.0.0/24', gateway: '10.8.0.1', reserved: ['10.8.0.2', '10.8.0.10-10.8.0.20'] },
        { name: 'wg6', kind: 'wireguard', cidr: 'fd00:8::/64' },
      ],
    );
  });

  it('holds each network parsed once: its block and exclusions as numbers, ready for allocation and topology', () => {
    const config = parse(network('wg0', '10.8.0.0/24', 'gateway = "10.8.0.1"\nreserved = ["10.8.0.2"]'));
    const [wg0] = config.networks;
    assert.ok(wg0);
    assert.deepEqual(
      { name: wg0.name, kind: wg0.kind, family: wg0.cidr.family, base: wg0.cidr.base, prefix: wg0.cidr.prefix, text: wg0.cidr.text, capacity: wg0.capacity },
      { name: 'wg0', kind: 'wireguard', family: 4, base: 0x0a080000n, prefix: 24, text: '10.8.0.0/24', capacity: 252n },
    );
    assert.ok(Object.isFrozen(wg0) && Object.isFrozen(wg0.cidr), 'the configuration is frozen, its networks too');
  });

  it('rejects overlapping networks, naming both, with the line of the later one', () => {
    const error = rejection(network('wg0', '10.8.0.0/24') + network('lan', '10.0.0.0/8'));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.path, 'network[1].cidr');
    assert.match(error.reason, /network "lan" \(10\.0\.0\.0\/8\) overlaps network "wg0" \(10\.8\.0\.0\/24\)/);
    assert.equal(error.line, 9);
  });

  it('rejects a gateway or reserved address outside the block, and a block with host bits set', () => {
    const error = rejection(
      network('wg0', '10.8.0.0/24', 'gateway = "10.9.0.1"\nreserved = ["10.8.0.5", "10.8.0.9-10.8.1.2"]') + network('wg1', '10.7.0.1/24'),
    );
    assert.deepEqual(
      error.issues.map((i) => [i.path, i.message]),
      [
        ['network[0].gateway', '10.9.0.1 is outside 10.8.0.0/24'],
        ['network[0].reserved[1]', '10.8.1.2 is outside 10.8.0.0/24'],
        ['network[1].cidr', 'host bits are set; the network is 10.7.0.0/24'],
      ],
    );
  });

  it('rejects an unknown kind and an unknown key, listing the known ones', () => {
    const error = rejection('[[network]]\nname = "x"\nkind = "vpn"\ncidr = "10.0.0.0/24"\nmask = 24\n');
    assert.match(error.reason, /network\[0\]\.kind: must be one of "wireguard", "lan"/);
    assert.match(error.reason, /network\[0\]\.mask: unknown key \(known: name, kind, cidr, gateway, reserved\)/);
  });

  it('rejects a network name used twice', () => {
    const error = rejection(network('wg0', '10.8.0.0/24') + network('wg0', '10.9.0.0/24'));
    assert.match(error.reason, /network\[1\]\.name: duplicate network name "wg0"/);
  });
});
