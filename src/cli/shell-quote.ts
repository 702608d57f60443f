/**
 * Output meant for `eval` in a shell (`eval "$(registry env …)"`). A registered host is data,
 * whatever it holds: every value is one single-quoted word, in which nothing is special but the
 * quote itself, written as `'\''`. A name that is not a shell identifier is refused, not printed.
 */
import { echoed, RegistryError } from '../domain/index.js';
import { terminalSafe } from './terminal-text.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A value as one POSIX shell word. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

/** `NAME=value` as a shell assignment: `NAME='value'`. */
export function shellAssignment(line: string): string {
  const equals = line.indexOf('=');
  const name = equals < 0 ? line : line.slice(0, equals);
  if (!IDENTIFIER.test(name)) {
    throw new RegistryError('internal', `the server sent an env line that is not NAME=value: ${terminalSafe(echoed(line))}`);
  }
  return `${name}=${shellQuote(line.slice(equals + 1))}`;
}
