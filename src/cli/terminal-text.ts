/**
 * Text from the server shown on an operator's terminal. Any registered string (a host from an
 * old record, a description, metadata, a deployment message) may hold escape sequences that set
 * the window title, clear the screen or rewrite what was printed. Control characters (C0, DEL,
 * C1) and the bidirectional overrides that reorder a line are shown escaped, never sent raw.
 */

/** Every character a terminal may act on rather than print. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, but a newline stays: multi-line output (a table) keeps its line breaks. */
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOne = (char: string): string => {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** True when a terminal may act on some character of the text rather than print it. */
export const holdsControls = (text: string): boolean => new RegExp(UNSAFE.source).test(text);

/** One value as a terminal shows it safely: `\x1b]0;owned\x07` for ESC ] 0 ; owned BEL. */
export const terminalSafe = (text: string): string => text.replace(UNSAFE, escapeOne);

/** Several lines as a terminal shows them safely: like terminalSafe, but line breaks stay. */
export const terminalSafeLines = (text: string): string => text.replace(UNSAFE_BUT_NEWLINE, escapeOne);

/**
 * JSON for a terminal or a pipe: JSON.stringify already escapes C0, but not DEL, C1 (U+009B is a
 * CSI to some terminals) or the bidirectional overrides; these become `\u….` escapes, still JSON.
 */
export const jsonTerminalSafe = (json: string): string =>
  json.replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Escaped, then cut to `max` characters with an ellipsis (a check's output in a table cell). */
export function shortText(text: string, max: number): string {
  const escaped = terminalSafe(text);
  return escaped.length <= max ? escaped : `${escaped.slice(0, max - 1)}…`;
}
