import type { z } from 'zod';
import { echoed, RegistryError, roleAllows } from '../domain/index.js';
import { contextForKind } from './call-kind.js';
import type { OperationContext, OperationKind, OperationRole } from './define.js';

export interface BadField {
  readonly path: string;
  readonly message: string;
}

/** The most bad fields one answer lists; the rest are counted. The answer stays small whatever was sent. */
export const MAX_REPORTED_FIELDS = 20;

/** Turns zod issues into named fields and reasons, so one answer lists what is wrong (the first 20 of them). */
export function invalidParams(error: z.ZodError): RegistryError {
  const fields: BadField[] = error.issues.slice(0, MAX_REPORTED_FIELDS).map((issue) => ({
    // A path holds the caller's keys, which may be of any length.
    path: issue.path.length === 0 ? '(params)' : echoed(issue.path.map(String).join('.')),
    // zod says "expected string, received undefined" for a missing field: say what it means.
    message: /received undefined$/.test(issue.message) ? 'required' : issue.message,
  }));
  const more = error.issues.length - fields.length;
  const text = fields.map((f) => `${f.path}: ${f.message}`).join('; ') + (more > 0 ? `; and ${more} more` : '');
  return new RegistryError('invalid_params', `invalid params: ${text}`, { cause: error, details: more > 0 ? { fields, more } : { fields } });
}

/** What dispatch needs of an operation; generic so a typed operation answers its own output type. */
export interface Dispatchable<In, Out> {
  readonly name: string;
  readonly role: OperationRole;
  readonly kind: OperationKind;
  readonly input: z.ZodType<In>;
  handle(input: In, ctx: OperationContext): Promise<Out>;
}

/** The one path every call takes: role check, parse at the edge, what the call's kind asks (consistency, request id), then the handler. */
export async function dispatch<In, Out>(op: Dispatchable<In, Out>, rawInput: unknown, ctx: OperationContext): Promise<Out> {
  if (!roleAllows(ctx.principal.role, op.role)) {
    if (ctx.principal.role === 'none') {
      throw new RegistryError('unauthorized', `'${op.name}' needs the ${op.role} role and no credentials were presented`, {
        details: { operation: op.name, required: op.role },
      });
    }
    throw new RegistryError('forbidden', `'${op.name}' needs the ${op.role} role; the caller has ${ctx.principal.role}`, {
      details: { operation: op.name, required: op.role, held: ctx.principal.role },
    });
  }
  const parsed = op.input.safeParse(rawInput ?? {});
  if (!parsed.success) throw invalidParams(parsed.error);
  return op.handle(parsed.data, await contextForKind(op.kind, op.name, parsed.data, ctx));
}
