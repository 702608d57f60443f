/**
 * Text that came from elsewhere (a check's output is what a remote server answered) reaches a
 * terminal only with its control characters escaped: no escape sequence, carriage return or
 * bidirectional override can rewrite what the operator sees.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export const escapeControl = (text: string): string =>
  text.replace(CONTROL, (c) => NAMED[c] ?? `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);

/** Escaped, then cut to `max` characters with an ellipsis. */
export function shortText(text: string, max: number): string {
  const escaped = escapeControl(text);
  return escaped.length <= max ? escaped : `${escaped.slice(0, max - 1)}…`;
}
