/** Durations as people write them in configuration files and manifests. */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_TEXT = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * `1.5` (seconds), `"500ms"`, `"10s"`, `"2m"` or `"1h"` as whole milliseconds; undefined for
 * anything else (a negative or non-finite number, or text in another form).
 */
export function durationMs(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const match = DURATION_TEXT.exec(value.trim());
  if (match === null) return undefined;
  const [, amount = '', unit = ''] = match;
  const scale = UNIT_MS[unit];
  return scale === undefined ? undefined : Math.round(Number.parseFloat(amount) * scale);
}

export const DURATION_HINT = 'must be seconds or a duration such as "500ms", "10s", "2m" or "1h"';
