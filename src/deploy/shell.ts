import { RegistryError } from '../domain/index.js';

/**
 * Quoting for the POSIX shell on the target. Every value that reaches a remote command goes
 * through `shellQuote`; `sh` is a template tag that quotes each interpolation, so a command
 * written with it cannot carry unquoted input.
 */

/** `it's` → `'it'\''s'`: one word to any POSIX shell, whatever it holds. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) {
    throw new RegistryError('invalid_params', 'a shell word cannot hold a NUL character', { details: { word: word.replaceAll('\0', '\\0') } });
  }
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line of quoted words. */
export const shellWords = (words: readonly string[]): string => words.map(shellQuote).join(' ');

/** A part of a command that is already shell text (made by `sh`), not a value to quote. */
export class ShellText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type ShellValue = string | number | ShellText;

/** `sh\`cd ${dir} && ls\`` → `cd '/the dir' && ls`: every interpolated value is quoted, ShellText is kept. */
export function sh(strings: TemplateStringsArray, ...values: readonly ShellValue[]): ShellText {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += value instanceof ShellText ? value.text : shellQuote(String(value));
    text += strings[index + 1] ?? '';
  });
  return new ShellText(text);
}

/** Joins shell fragments with a separator (`; `, ` && `). */
export const joinShell = (parts: readonly ShellText[], separator: string): ShellText =>
  new ShellText(parts.map((part) => part.text).join(separator));

/** The whole command run under `sh -c`, so the remote login shell (bash, zsh, fish…) does not matter. */
export const posixCommand = (script: ShellText): string => `sh -c ${shellQuote(script.text)}`;
