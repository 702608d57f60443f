/**
 * IP allocation cost: allocate_ip then release_ip on one connection, in a /8 holding the plan's
 * live allocations and in a /24 filled to one free address, plus the answer time of a full one.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { operations } from '../../src/operations/index.js';
import { type BenchContext, NotApplicable, startRegistry } from '../context.js';
import type { IpamFigures, IpamNetworkFigures } from '../figures.js';
import { makeDataDir } from '../lib/seed.js';
import { timed as inPhase } from '../lib/phases.js';
import { summarise } from '../lib/stats.js';
import { responseError } from '../load/frames.js';
import { callMany, closeSockets, openSocket, roundTrip } from '../load/socket.js';

const WIDE = { name: 'bench-wide', cidr: '10.0.0.0/8' } as const;
const NARROW = { name: 'bench-narrow', cidr: '192.168.77.0/24' } as const;

const networksToml = [WIDE, NARROW].map((n) => `[[network]]\nname = "${n.name}"\nkind = "lan"\ncidr = "${n.cidr}"\n`).join('\n');

const allocate = (id: string, network: string, owner: string): string =>
  `{"id":"${id}","type":"request","action":"allocate_ip","params":{"network":"${network}","owner":"${owner}"}}`;
const release = (id: string, network: string, owner: string): string =>
  `{"id":"${id}","type":"request","action":"release_ip","params":{"network":"${network}","owner":"${owner}"}}`;

/** Allocates until `count` owners hold an address or the network is full; returns how many hold one. */
async function fill(socket: WebSocket, network: string, count: number): Promise<number> {
  const replies = await callMany(socket, count, (i) => allocate(String(i), network, `live-${i}`));
  let held = 0;
  for (const reply of replies) {
    const error = responseError(reply);
    if (error === undefined) held++;
    else if (!error.includes('"network_exhausted"')) throw new Error(`allocate_ip failed: ${error}`);
  }
  return held;
}

async function timed(socket: WebSocket, frame: string, expectError?: string): Promise<number> {
  const reply = await roundTrip(socket, frame);
  const error = responseError(reply.text);
  if (expectError === undefined ? error !== undefined : !error?.includes(`"${expectError}"`)) {
    throw new Error(`unexpected answer to ${frame}: ${reply.text.slice(0, 300)}`);
  }
  return reply.ms;
}

async function measure(socket: WebSocket, network: { readonly name: string; readonly cidr: string }, live: number, samples: number): Promise<IpamNetworkFigures> {
  const allocations: number[] = [];
  const releases: number[] = [];
  for (let i = 0; i < samples; i++) {
    allocations.push(await timed(socket, allocate('a', network.name, `probe-${i}`)));
    releases.push(await timed(socket, release('r', network.name, `probe-${i}`)));
  }
  const a = summarise(allocations);
  return { cidr: network.cidr, live, allocateP50Ms: a.p50, allocateP99Ms: a.p99, releaseP50Ms: summarise(releases).p50, samples };
}

export async function ipamScenario(ctx: BenchContext): Promise<IpamFigures> {
  if (!operations.some((op) => op.name === 'allocate_ip')) {
    ctx.notRun.ipam = 'n/a (allocate_ip not built)';
    throw new NotApplicable(ctx.notRun.ipam);
  }
  const data = await makeDataDir(ctx.root, 'ipam');
  await writeFile(join(data.dir, 'backends.toml'), networksToml);
  const server = await startRegistry(data);
  const socket = await openSocket(server.url, { ca: server.ca });
  try {
    const probe = responseError((await roundTrip(socket, allocate('p', WIDE.name, 'probe'))).text);
    if (probe !== undefined && /"(unknown_operation|unavailable)"/.test(probe)) {
      ctx.notRun.ipam = `n/a (allocate_ip answers ${probe})`;
      throw new NotApplicable(ctx.notRun.ipam);
    }
    await timed(socket, release('p', WIDE.name, 'probe'));
    const wideLive = await inPhase('seed', () => fill(socket, WIDE.name, ctx.plan.ipamAllocations));
    const wide = await inPhase('measure', () => measure(socket, WIDE, wideLive, ctx.plan.ipamSamples));
    const narrowHeld = await inPhase('seed', () => fill(socket, NARROW.name, 1_024));
    await timed(socket, release('f', NARROW.name, 'live-0'));
    const narrow = await inPhase('measure', () => measure(socket, NARROW, narrowHeld - 1, ctx.plan.ipamSamples));
    await timed(socket, allocate('f', NARROW.name, 'live-0'));
    const exhausted: number[] = [];
    for (let i = 0; i < 50; i++) exhausted.push(await timed(socket, allocate('x', NARROW.name, `extra-${i}`), 'network_exhausted'));
    ctx.results.ipam = { wide, narrow, exhaustedP50Ms: summarise(exhausted).p50 };
    return ctx.results.ipam;
  } finally {
    await closeSockets([socket]);
    await server.close();
  }
}
