/** bench/lib/phases.ts: where a scenario's wall time went. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coveredMs, type Phase, phaseLine, type Span, summarisePhases } from '../../../bench/lib/phases.js';

const span = (phase: Phase, start: number, end: number): Span => ({ phase, start, end });

describe('bench phases', () => {
  it('counts spans that overlap once', () => {
    const spans = [span('start', 0, 10), span('start', 5, 20), span('start', 6, 8), span('start', 30, 40)];
    assert.equal(coveredMs(spans), 30);
  });

  it('sums each phase and leaves the uncovered wall time as other', () => {
    const spans = [span('seed', 0, 200), span('start', 100, 1_000), span('measure', 1_000, 3_500), span('stop', 3_600, 3_800)];
    assert.deepEqual(summarisePhases(spans, 4_000), { build: 0, seed: 200, start: 900, measure: 2_500, stop: 200, other: 300 });
  });

  it('prints the phases that took time, in seconds', () => {
    assert.equal(phaseLine({ build: 0, seed: 200, start: 900, measure: 2_500, stop: 20, other: 200 }), 'seed 0.2 s, start 0.9 s, measure 2.5 s, other 0.2 s');
  });
});
