import type { z } from 'zod';
import { locate } from './locate.js';
import { knownKeys } from './schema.js';
import type { ConfigIssue, ConfigIssueSource } from './types.js';

/** `['backend', 1, 'port']` → `backend[1].port`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a table' : typeof value;
}

const expectedText: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a table',
  record: 'a table',
  array: 'an array',
};

const got = (issue: z.core.$ZodIssue): string =>
  issue.input === undefined ? '' : ` (got ${describeValue(issue.input)})`;

function typeMessage(issue: z.core.$ZodIssueInvalidType): string {
  if (issue.input === undefined) return 'is required';
  const name = issue.path.length === 1 ? String(issue.path[0]) : undefined;
  if (name !== undefined && issue.expected === 'array' && !Array.isArray(issue.input)) {
    return `must be an array of tables: write [[${name}]]${got(issue)}`;
  }
  if (name !== undefined && issue.expected === 'object' && Array.isArray(issue.input)) {
    return `must be a single table: write [${name}]${got(issue)}`;
  }
  return `must be ${expectedText[issue.expected] ?? issue.expected}${got(issue)}`;
}

function sizeMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const big = issue.code === 'too_big';
  const limit = String(big ? issue.maximum : issue.minimum);
  const strict = issue.inclusive === false;
  switch (issue.origin) {
    case 'number':
    case 'int':
      return `must be ${big ? (strict ? '<' : '≤') : strict ? '>' : '≥'} ${limit}${got(issue)}`;
    case 'string':
      return !big && limit === '1' ? 'must not be empty' : `must be at ${big ? 'most' : 'least'} ${limit} characters`;
    default:
      return `must have at ${big ? 'most' : 'least'} ${limit} entries`;
  }
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return typeMessage(issue);
    case 'too_big':
    case 'too_small':
      return sizeMessage(issue);
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got(issue)}`;
    case 'invalid_format':
      return `${issue.message}${got(issue)}`;
    default:
      return issue.message;
  }
}

function unknownKeyIssues(issue: z.core.$ZodIssueUnrecognizedKeys): { path: PropertyKey[]; message: string }[] {
  const table = issue.path.find((part): part is string => typeof part === 'string') ?? '';
  const known = knownKeys[table];
  const hint = known === undefined ? '' : ` (known: ${known.join(', ')})`;
  return issue.keys.map((key) => {
    const value = issue.input?.[key];
    const isTable = table === '' && typeof value === 'object' && value !== null;
    return { path: [...issue.path, key], message: `${isTable ? 'unknown table' : 'unknown key'}${hint}` };
  });
}

export interface IssueContext {
  readonly source: ConfigIssueSource;
  /** The file's text, to find lines; only for source `file`. */
  readonly text?: string;
  /** Names a top-level path element as the user knows it (`port` → `--port`). */
  readonly label?: (key: string) => string;
}

/** One `ConfigIssue` per problem, each unknown key its own. */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): ConfigIssue[] {
  const flat = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? unknownKeyIssues(issue)
      : [{ path: [...issue.path], message: issueMessage(issue) }],
  );
  return flat.map(({ path, message }) => {
    const [head, ...rest] = path;
    const shown = ctx.label !== undefined && typeof head === 'string' ? [ctx.label(head), ...rest] : path;
    const position = ctx.text === undefined ? undefined : locate(ctx.text, path);
    return {
      source: ctx.source,
      path: formatPath(shown),
      message,
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
    };
  });
}
