/** bench/lib/phases.ts: where a scenario's wall time went. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coveredMs, phaseLine, type Span, summarisePhases } from '../../../bench/lib/phases.js';

describe('bench phases', () => {
  it('counts spans that overlap once', () => {
    const spans: Span[] = [
      { phase: 'start', start: 0, end: 10 },
      { phase: 'start', start: 5, end: 20 },
      { phase: 'start', start: 6, end: 8 },
      { phase: 'start', start: 30, end: 40 },
    ];
    assert.equal(coveredMs(spans), 30);
  });

  it('sums each phase and leaves the uncovered wall time as other', () => {
    const spans: Span[] = [
      { phase: 'seed', start: 0, end: 200 },
      { phase: 'start', start: 100, end: 1_000 },
      { phase: 'measure', start: 1_000, end: 3_500 },
      { phase: 'stop', start: 3_600, end: 3_800 },
    ];
    assert.deepEqual(summarisePhases(spans, 4_000), { build: 0, seed: 200, start: 900, measure: 2_500, stop: 200, other: 300 });
  });

  it('prints the phases that took time, in seconds', () => {
    assert.equal(phaseLine({ build: 0, seed: 200, start: 900, measure: 2_500, stop: 20, other: 200 }), 'seed 0.2 s, start 0.9 s, measure 2.5 s, other 0.2 s');
  });
});
