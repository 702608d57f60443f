import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARPHRD_NONE, detectAddresses } from '../../src/topology/index.js';

const v4 = (address: string, cidr: string): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr,
});

/** A /sys/class/net and a /var/run/wireguard laid out as the kernel and wireguard-go leave them. */
describe('detectAddresses', () => {
  let dir: string;
  let sysNetDir: string;
  let wireguardRunDir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-detect-'));
    sysNetDir = join(dir, 'sys');
    wireguardRunDir = join(dir, 'wireguard');
    await mkdir(wireguardRunDir, { recursive: true });
    const link = async (name: string, type: number, uevent: string): Promise<void> => {
      await mkdir(join(sysNetDir, name), { recursive: true });
      await writeFile(join(sysNetDir, name, 'type'), `${type}\n`);
      await writeFile(join(sysNetDir, name, 'uevent'), uevent);
    };
    await link('eth0', 1, 'INTERFACE=eth0\nIFINDEX=2\n');
    await link('wg0', ARPHRD_NONE, 'DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=3\n');
    await link('wgu', ARPHRD_NONE, 'INTERFACE=wgu\nIFINDEX=4\n');
    await link('veth1', 1, 'INTERFACE=veth1\nIFINDEX=5\n');
    // wireguard-go leaves one socket per interface; the folder is shared by every namespace.
    for (const name of ['wgu', 'wgother', 'veth1']) await writeFile(join(wireguardRunDir, `${name}.sock`), '');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const detect = () =>
    detectAddresses({
      sysNetDir,
      wireguardRunDir,
      interfaces: () => ({
        eth0: [v4('10.0.0.5', '10.0.0.5/24')],
        wg0: [v4('10.8.0.1', '10.8.0.1/24')],
        wgu: [v4('10.9.0.1', '10.9.0.1/24')],
        veth1: [v4('10.7.0.1', '10.7.0.1/24')],
      }),
    });

  it('reads the kernel link kind from uevent', async () => {
    const wg0 = (await detect()).find((c) => c.interface === 'wg0');
    assert.deepEqual(wg0?.link, { kind: 'wireguard', arpType: ARPHRD_NONE });
    assert.equal(wg0?.prefix, 24);
  });

  it('ties a UAPI socket to an interface of this namespace with link type none', async () => {
    const wgu = (await detect()).find((c) => c.interface === 'wgu');
    assert.equal(wgu?.link.uapiSocket, join(wireguardRunDir, 'wgu.sock'));
  });

  it('ignores a socket whose interface has another link type', async () => {
    const veth = (await detect()).find((c) => c.interface === 'veth1');
    assert.equal(veth?.link.uapiSocket, undefined);
  });

  it('ignores sockets of interfaces that are not in this namespace', async () => {
    const names = (await detect()).map((c) => c.interface);
    assert.equal(names.includes('wgother'), false);
  });

  it('finds the loopback address of the real host', async () => {
    const real = await detectAddresses();
    assert.ok(real.some((c) => c.address === '127.0.0.1'), JSON.stringify(real));
  });
});
