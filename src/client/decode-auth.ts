/**
 * Reading tokens and authentication answers off the wire. The server is trusted, so shapes are
 * read, not re-validated: a missing field gets a neutral value rather than an exception.
 */
import { isGrantedRole, type Role, roles } from '../domain/index.js';
import type { AuthenticateOutput, TokenCreated, TokenOutput } from '../operations/index.js';

type Wire = Readonly<Record<string, unknown>>;
const obj = (value: unknown): Wire => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const tokenRole = (value: unknown): TokenOutput['role'] => (isGrantedRole(value) ? value : 'read');
const anyRole = (value: unknown): Role => roles.find((role) => role === value) ?? 'none';

export const decodeTokenOutput = (wire: unknown): TokenOutput => {
  const w = obj(wire);
  return { name: str(w.name), role: tokenRole(w.role), created_at: num(w.created_at) };
};

export const decodeTokenCreated = (wire: unknown): TokenCreated => ({ ...decodeTokenOutput(wire), token: str(obj(wire).token) });

export const decodeTokenList = (wire: unknown): readonly TokenOutput[] => (Array.isArray(wire) ? wire.map(decodeTokenOutput) : []);

export const decodeTokenRevoked = (wire: unknown): { readonly name: string; readonly revoked: true } => ({
  name: str(obj(wire).name),
  revoked: true,
});

export const decodeAuthenticated = (wire: unknown): AuthenticateOutput => {
  const w = obj(wire);
  return { role: anyRole(w.role), via: str(w.via) };
};
