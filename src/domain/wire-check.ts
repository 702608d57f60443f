/**
 * Health checks on the wire: the declaration as it would be sent (durations in seconds, a
 * fraction for sub-second ones), then where the check stands (`since` in Unix seconds).
 */
import { z } from 'zod';
import { checkStatuses } from './check.js';
import { unixSeconds } from './wire-common.js';

const status = z.enum(checkStatuses);

/** What every declared check has after its target: how often it runs and how it changes status. */
const policyFields = {
  interval: z.number(),
  timeout: z.number(),
  success_before_passing: z.number().int(),
  failures_before_warning: z.number().int(),
  failures_before_critical: z.number().int(),
  deregister_critical_after: z.number().optional(),
  initial_status: status,
};

/** Where a check stands. */
const standingFields = { status, output: z.string(), since: unixSeconds };

/** Each kind's target fields, between `kind` and the policy. */
const targets = [
  { kind: z.enum(['http', 'https']), url: z.string(), expect_status: z.number().int().optional(), body_contains: z.string().optional(), ca: z.string().optional() },
  { kind: z.enum(['ws', 'wss']), url: z.string(), rpc_method: z.string().optional(), rpc_params: z.unknown().optional(), ca: z.string().optional() },
  { kind: z.literal('tcp'), host: z.string(), port: z.number().int() },
  { kind: z.literal('tls'), host: z.string(), port: z.number().int(), warn_days: z.number().int(), server_name: z.string().optional(), ca: z.string().optional() },
  { kind: z.literal('ttl'), ttl: z.number() },
  { kind: z.literal('script'), command: z.array(z.string()) },
] as const;

/** The variants of a declared check, each with `before` fields first (a row's `service`). */
function declaredVariants<B extends z.ZodRawShape>(before: B) {
  const [http, ws, tcp, tls, ttl, script] = targets;
  const variant = <T extends z.ZodRawShape>(target: T) => z.object({ ...before, name: z.string(), ...target, ...policyFields, ...standingFields });
  return [variant(http), variant(ws), variant(tcp), variant(tls), variant(ttl), variant(script)] as const;
}

/** The service's own TTL as a check: no policy, it is never scheduled. */
const ttlStandingVariant = <B extends z.ZodRawShape>(before: B) =>
  z.object({ ...before, name: z.string(), kind: z.literal('ttl'), ttl: z.number(), ...standingFields });

/** A check a service declared (in a record's `checks`, or answered by `add_check`). */
export const declaredCheckWire = z.union(declaredVariants({}));

/** A row of `get_health`'s checks: a declared check, or the TTL. Declared variants come first: they have more fields. */
export const checkWire = z.union([...declaredVariants({}), ttlStandingVariant({})]);

/** A row of `list_checks`: the service, then the check's own fields. */
export const checkRowWire = z.union([...declaredVariants({ service: z.string() }), ttlStandingVariant({ service: z.string() })]);
export const checkRowListWire = z.array(checkRowWire);

export const addedCheckWire = z.object({ service: z.string(), check: declaredCheckWire });
export const removedCheckWire = z.object({ service: z.string(), check: z.string(), removed: z.boolean() });

export const healthReportWire = z.object({
  service: z.string(),
  /** The worst of the TTL and the checks. */
  status,
  /** Whether discovery hands the service out now. */
  active: z.boolean(),
  /** Why, when the status is not passing. */
  message: z.string().optional(),
  checks: z.array(checkWire),
});

export type CheckWire = z.output<typeof checkWire>;
export type DeclaredCheckWire = z.output<typeof declaredCheckWire>;
export type CheckRowWire = z.output<typeof checkRowWire>;
export type AddedCheckWire = z.output<typeof addedCheckWire>;
export type HealthReportWire = z.output<typeof healthReportWire>;
