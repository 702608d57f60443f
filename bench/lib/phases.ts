/**
 * Where a scenario's wall time goes: the bench's primitives (seeding, spawning and stopping
 * processes, load runs, builds) record how long they took, and each scenario's report sums them
 * per phase. Scenarios run one after another, so one clock serves the whole run.
 */

export const phases = ['build', 'seed', 'start', 'measure', 'stop'] as const;
/**
 * `build`: `npm run build`. `seed`: filling a store before a server starts. `start`: spawn → ready
 * of a server, baseline or child, and load threads up to connected. `measure`: warm-ups and
 * measuring windows (load runs, fan-outs, sample loops, idle connections held). `stop`: closing them.
 */
export type Phase = (typeof phases)[number];

/** Milliseconds per phase, and `other`: the scenario's wall time that no phase covered. */
export type PhaseTimes = Readonly<Record<Phase | 'other', number>>;

export interface Span {
  readonly phase: Phase;
  readonly start: number;
  readonly end: number;
}

/** The length of the union of `[start, end)` spans: spans running side by side count once. */
export function coveredMs(spans: readonly Span[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let total = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const { start, end } of sorted) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

/** Each phase's covered time within a scenario that took `elapsedMs`, rounded to ms. */
export function summarisePhases(spans: readonly Span[], elapsedMs: number): PhaseTimes {
  const of = (phase: Phase): number => Math.round(coveredMs(spans.filter((s) => s.phase === phase)));
  const other = Math.max(0, Math.round(elapsedMs - coveredMs(spans)));
  return { build: of('build'), seed: of('seed'), start: of('start'), measure: of('measure'), stop: of('stop'), other };
}

/** One line for the log: `start 1.9 s, measure 2.6 s, …` (phases that took no time are left out). */
export function phaseLine(times: PhaseTimes): string {
  return (Object.entries(times) as [string, number][])
    .filter(([, ms]) => ms >= 50)
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
}

class PhaseClock {
  private spans: Span[] = [];

  async time<T>(phase: Phase, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await run();
    } finally {
      this.spans.push({ phase, start, end: performance.now() });
    }
  }

  /** The spans recorded since the last call, summarised, and forgotten. */
  take(elapsedMs: number): PhaseTimes {
    const times = summarisePhases(this.spans, elapsedMs);
    this.spans = [];
    return times;
  }
}

const clock = new PhaseClock();

/** Runs `run`, counting its wall time to `phase` of the scenario running now. */
export function timed<T>(phase: Phase, run: () => Promise<T>): Promise<T> {
  return clock.time(phase, run);
}

/** The current scenario's phases (see `summarisePhases`); the clock starts over for the next one. */
export function takePhases(elapsedMs: number): PhaseTimes {
  return clock.take(elapsedMs);
}
