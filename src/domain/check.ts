/** Health checks (issue 13): what a check is, and the record of where it stands. */

export const checkKinds = ['http', 'https', 'tcp', 'ws', 'wss', 'ttl', 'tls', 'script'] as const;
export type CheckKind = (typeof checkKinds)[number];

/** Ordered from best to worst: a service's health is the worst of its checks. */
export const checkStatuses = ['passing', 'warning', 'critical'] as const;
export type CheckStatus = (typeof checkStatuses)[number];

/** A check name: letters, digits, '.', '_' or '-', starting with a letter or digit. */
export const CHECK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The service's own TTL (the Plexus ping) is reported under this name; a declared check may not take it. */
export const TTL_CHECK_NAME = 'ttl';

/** Defaults a declaration may leave out (Consul's, except the threshold against flapping). */
export const DEFAULT_CHECK_INTERVAL_MS = 10_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;
export const DEFAULT_SUCCESS_BEFORE_PASSING = 1;
export const DEFAULT_FAILURES_BEFORE_CRITICAL = 3;
export const DEFAULT_INITIAL_STATUS: CheckStatus = 'critical';
/** A `tls` check warns this many days before the certificate expires. */
export const DEFAULT_TLS_WARN_DAYS = 14;
/** The least interval and the least `deregister_critical_after`: one second, with no one-minute floor. */
export const MIN_CHECK_INTERVAL_MS = 1_000;
export const MIN_CHECK_TIMEOUT_MS = 10;
/** How much of a check's output is kept (it comes from a remote server: bounded). */
export const MAX_CHECK_OUTPUT = 4_096;

/** What a check probes, by kind. Every URL, host and command was validated at the edge. */
export type CheckTarget =
  | {
      readonly kind: 'http' | 'https';
      readonly url: string;
      /** The status the answer must have; absent: any 2xx. */
      readonly expectStatus?: number;
      /** Text the body must contain. */
      readonly bodyContains?: string;
      /** PEM of the CA to trust (https); absent: Node's built-in roots. */
      readonly ca?: string;
    }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | {
      readonly kind: 'ws' | 'wss';
      readonly url: string;
      /** A JSON-RPC method to call after the handshake; the answer must be a well-formed result. */
      readonly rpcMethod?: string;
      readonly rpcParams?: unknown;
      readonly ca?: string;
    }
  | { readonly kind: 'ttl'; readonly ttlMs: number }
  | {
      readonly kind: 'tls';
      readonly host: string;
      readonly port: number;
      readonly serverName?: string;
      /** A certificate expiring within this many days is a warning. */
      readonly warnDays: number;
      readonly ca?: string;
    }
  | {
      readonly kind: 'script';
      /** Program and arguments, run without a shell. */
      readonly command: readonly string[];
    };

/** How often a check runs and how many results it takes to change its status. Times in milliseconds. */
export interface CheckPolicy {
  readonly intervalMs: number;
  /** At most the interval, so runs cannot pile up. */
  readonly timeoutMs: number;
  readonly successBeforePassing: number;
  /** At most failuresBeforeCritical; equal (the default) means no warning stage. */
  readonly failuresBeforeWarning: number;
  readonly failuresBeforeCritical: number;
  /** Critical this long: the service is deregistered (any duration ≥ 1 s). */
  readonly deregisterCriticalAfterMs?: number;
  readonly initialStatus: CheckStatus;
}

/** A check as declared: in a registration, a configuration file or a deploy manifest. */
export type CheckDefinition = CheckTarget & CheckPolicy & { readonly name: string };

/** Where a check stands, kept in the service record (so a restart keeps it). */
export interface CheckState {
  readonly status: CheckStatus;
  /** What the run that set the status said (bounded by MAX_CHECK_OUTPUT). */
  readonly output: string;
  /** When the check took this status, milliseconds since the epoch. */
  readonly since: number;
}

export type ServiceCheck = CheckDefinition & CheckState;

/** What one run of a check found: `warn` for a script's exit code 1 or a certificate about to expire. */
export type CheckVerdict = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  readonly verdict: CheckVerdict;
  readonly output: string;
  readonly durationMs: number;
}
