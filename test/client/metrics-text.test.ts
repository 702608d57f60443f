import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsFormatError, parseMetricsText, sampleSum } from '../../src/client/index.js';

const GOOD = `# HELP x_total Things.
# TYPE x_total counter
x_total{a="1",b="q\\"uote\\\\ \\n"} 3
x_total{a="2"} 4.5e1
# HELP h_seconds Times.
# TYPE h_seconds histogram
h_seconds_bucket{le="0.1"} 1
h_seconds_bucket{le="+Inf"} 2
h_seconds_sum 0.3
h_seconds_count 2
# TYPE g gauge
g NaN
`;

describe('parseMetricsText', () => {
  it('reads families, labels with escapes, numbers, NaN and histograms', () => {
    const families = parseMetricsText(GOOD);
    assert.equal(families.get('x_total')?.type, 'counter');
    assert.equal(families.get('x_total')?.samples[0]?.labels.b, 'q"uote\\ \n');
    assert.equal(sampleSum(families, 'x_total', 'x_total'), 48);
    assert.equal(sampleSum(families, 'h_seconds', 'h_seconds_count'), 2);
    assert.ok(Number.isNaN(families.get('g')?.samples[0]?.value));
  });

  const refused: Record<string, string> = {
    'a bad metric name': '1x 1\n',
    'a bad value': 'x one\n',
    'an unclosed label value': 'x{a="1} 1\n',
    'an unknown escape': 'x{a="\\t"} 1\n',
    'a series given twice': 'x{a="1"} 1\nx{a="1"} 2\n',
    'TYPE after samples': 'x 1\n# TYPE x counter\n',
    'an unknown type': '# TYPE x meter\nx 1\n',
    'samples of one family apart': '# TYPE x gauge\nx{a="1"} 1\n# TYPE y gauge\ny 1\nx{a="2"} 1\n',
    'a histogram whose buckets fall': '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    'a histogram without +Inf': '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    'a histogram count unlike its +Inf bucket': '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    'a label value without quotes': 'x{a=1} 1\n',
  };
  for (const [what, text] of Object.entries(refused)) {
    it(`refuses ${what}`, () => assert.throws(() => parseMetricsText(text), MetricsFormatError));
  }
});
