import type { z } from 'zod';
import { RegistryError } from '../domain/index.js';
import { type AnyOperation, type OperationContext, roleAllows } from './define.js';

export interface BadField {
  readonly path: string;
  readonly message: string;
}

/** Turns every zod issue into a named field and reason, so one answer lists all that is wrong. */
export function invalidParams(error: z.ZodError): RegistryError {
  const fields: BadField[] = error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(params)' : issue.path.map(String).join('.'),
    // zod says "expected string, received undefined" for a missing field: say what it means.
    message: /received undefined$/.test(issue.message) ? 'required' : issue.message,
  }));
  const text = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
  return new RegistryError('invalid_params', `invalid params: ${text}`, { cause: error, details: { fields } });
}

/** The one path every call takes: role check, parse at the edge, then the handler. */
export async function dispatch(op: AnyOperation, rawInput: unknown, ctx: OperationContext): Promise<unknown> {
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
  return op.handle(parsed.data, ctx);
}
