import { RegistryError } from '../domain/index.js';
import type { ConfigIssue } from './types.js';

/** The text of one problem: `backend[0].port: must be ≤ 65535`. */
export const issueReason = (issue: ConfigIssue): string =>
  issue.path === undefined ? issue.message : `${issue.path}: ${issue.message}`;

function describeIssue(file: string, issue: ConfigIssue): string {
  if (issue.line !== undefined) return `${file}:${issue.line}:${issue.column ?? 1}: ${issueReason(issue)}`;
  if (issue.source === 'file') return `${file}: ${issueReason(issue)}`;
  return issueReason(issue);
}

export interface ConfigErrorOptions extends ErrorOptions {
  /** A picture of the offending lines, as smol-toml draws it for a syntax error. */
  readonly snippet?: string;
}

/**
 * The configuration does not parse or validate. It carries the file, every problem found
 * (not just the first) and, for the first problem that has one, its line and column.
 */
export class ConfigError extends RegistryError {
  /** Absolute path of the configuration file concerned. */
  readonly file: string;
  readonly issues: readonly ConfigIssue[];
  /** Line of the first problem that has one, 1-based. */
  readonly line: number | undefined;
  /** Column of the first problem that has one, 1-based. */
  readonly column: number | undefined;
  /** Every problem, without file and line, joined by `; `. */
  readonly reason: string;
  /** One line for a log: `file:line:column: reason` (the place of the first problem that has one). */
  readonly brief: string;

  constructor(file: string, issues: readonly ConfigIssue[], options: ConfigErrorOptions = {}) {
    const frozen = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
    const described = frozen.map((issue) => describeIssue(file, issue));
    const head =
      described.length === 1
        ? `invalid configuration: ${described.join('')}`
        : `invalid configuration, ${described.length} problems:\n${described.map((d) => `  ${d}`).join('\n')}`;
    const located = frozen.find((issue) => issue.line !== undefined);
    super('config_invalid', options.snippet === undefined ? head : `${head}\n${options.snippet}`, {
      cause: options.cause,
      details: {
        file,
        line: located?.line,
        column: located?.column,
        issues: frozen,
      },
    });
    this.file = file;
    this.issues = frozen;
    this.line = located?.line;
    this.column = located?.column;
    this.reason = frozen.map(issueReason).join('; ');
    const place = located?.line === undefined ? file : `${file}:${located.line}:${located.column ?? 1}`;
    this.brief = `${place}: ${this.reason}`.replace(/[\r\n]+/g, ' ');
  }
}
