/**
 * `registry top`: a live view of the services by health, the event rate, the connections and the
 * commit latency. The services come once from `list_services` and then from a subscription that
 * starts right after that revision (no polling); the rates and latency from `/metrics`, read every
 * `--interval` seconds. On a terminal it takes the alternate screen and raw keys, and gives both
 * back on q, Ctrl-C or a signal; elsewhere it prints one screen and ends.
 */
import type { Command } from 'commander';
import { type EventStream, type MetricFamily, RegistryClient, type StreamedEvent } from '../../client/index.js';
import type { ServiceWire } from '../../domain/index.js';
import { clientTarget, globalFlags } from '../connection.js';
import { integerIn, type OptionBag } from '../flags.js';
import type { CliIo } from '../io.js';
import { renderTop, type TopState } from '../top-view.js';

/** The window the event rate is counted over. */
const RATE_WINDOW_MS = 10_000;
/** Events redraw the screen at most this often. */
const REDRAW_MS = 100;
const DEFAULT_INTERVAL_SECONDS = 2;

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?1049l\x1b[?25h';
const HOME_CLEAR = '\x1b[H\x1b[2J';
const QUIT_KEYS = new Set(['q', 'Q', '\x03']);

interface Holding {
  services: Map<string, ServiceWire>;
  eventTimes: number[];
  previous?: { readonly at: number; readonly families: ReadonlyMap<string, MetricFamily> };
  latest?: { readonly at: number; readonly families: ReadonlyMap<string, MetricFamily> };
  trouble?: string;
}

/** An event's change to the services held. */
function apply(services: Map<string, ServiceWire>, event: StreamedEvent): void {
  switch (event.event) {
    case 'ServiceDeregistered':
      services.delete(event.data.service.name);
      return;
    case 'ServiceRegistered':
    case 'ServiceUpdated':
    case 'ServiceStateChanged':
    case 'HealthChanged':
      services.set(event.data.service.name, event.data.service);
      return;
    default:
      return;
  }
}

async function scrape(client: RegistryClient, held: Holding): Promise<void> {
  try {
    const families = await client.metrics();
    held.previous = held.latest;
    held.latest = { at: Date.now(), families };
    held.trouble = undefined;
  } catch (error) {
    held.trouble = `metrics: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Follows the events into `held` until the stream closes. */
async function follow(stream: EventStream, held: Holding, changed: () => void): Promise<void> {
  for await (const event of stream) {
    apply(held.services, event);
    held.eventTimes.push(Date.now());
    const cutoff = Date.now() - RATE_WINDOW_MS;
    while ((held.eventTimes[0] ?? cutoff) < cutoff) held.eventTimes.shift();
    changed();
  }
}

async function runTop(client: RegistryClient, io: CliIo, intervalMs: number): Promise<void> {
  const held: Holding = { services: new Map(), eventTimes: [] };
  const { revision } = await client.status();
  for (const service of await client.listServices({})) held.services.set(service.name, service);
  await scrape(client, held);
  const view = (): string[] => {
    const state: TopState = { url: client.url, ...held, windowMs: RATE_WINDOW_MS, now: Date.now() };
    return renderTop(state, io.stdout.rows ?? 40, io.stdout.columns ?? 120);
  };
  const stdin = io.stdin;
  if (io.stdout.isTTY !== true || stdin?.isTTY !== true) {
    io.stdout.write(`${view().join('\n')}\n`);
    return;
  }
  const draw = (): void => void io.stdout.write(`${HOME_CLEAR}${view().join('\r\n')}`);
  let pending: NodeJS.Timeout | undefined;
  const soon = (): void => void (pending ??= setTimeout(() => ((pending = undefined), draw()), REDRAW_MS));
  const stream = client.subscribe({ sinceRevision: revision + 1, onStatus: (s) => ((held.trouble = s.type === 'disconnect' ? `events: ${s.reason}; reconnecting` : held.trouble), soon()) });
  let quit: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (quit = resolve));
  const onKey = (chunk: Buffer | string): void => {
    if ([...String(chunk)].some((key) => QUIT_KEYS.has(key))) quit();
  };
  const ticker = setInterval(() => void scrape(client, held).then(draw), intervalMs);
  const stopSignals = io.onShutdownSignal(() => quit());
  io.stdout.write(ENTER);
  stdin.setRawMode?.(true);
  stdin.on('data', onKey);
  stdin.resume();
  io.stdout.on?.('resize', draw);
  try {
    draw();
    const following = follow(stream, held, soon).catch((error: unknown) => {
      held.trouble = `events: ${error instanceof Error ? error.message : String(error)}`;
      soon();
    });
    await stopped;
    await stream.close();
    await following;
  } finally {
    clearInterval(ticker);
    clearTimeout(pending);
    stopSignals();
    io.stdout.off?.('resize', draw);
    stdin.off('data', onKey);
    stdin.setRawMode?.(false);
    stdin.pause();
    io.stdout.write(LEAVE);
  }
}

export function addTopCommand(program: Command, io: CliIo): void {
  program
    .command('top')
    .description('live view of services by health, the event rate, connections and commit latency; q or Ctrl-C quits')
    .option('--interval <seconds>', `how often /metrics is read (default ${DEFAULT_INTERVAL_SECONDS})`, integerIn(1, 3600))
    .action(async (options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const seconds = typeof options.interval === 'number' ? options.interval : DEFAULT_INTERVAL_SECONDS;
      const target = await clientTarget(flags, io);
      const client = await RegistryClient.connect(target.url, target.options);
      try {
        await runTop(client, io, seconds * 1000);
      } finally {
        await client.close();
      }
    });
}
