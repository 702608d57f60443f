/**
 * Who may do what (SECURITY.md): the one list of roles. The operation table, the configuration
 * (`[auth] loopback_role`), bearer tokens, client certificates and the CLI all take it from here.
 */

/** The roles a caller can hold, weakest first; `none` may call nothing but `authenticate`. */
export const roles = ['none', 'read', 'write', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The roles a credential (a bearer token, a client certificate) can grant: every role but `none`. */
export const grantedRoles = ['read', 'write', 'admin'] as const satisfies readonly Role[];
export type GrantedRole = (typeof grantedRoles)[number];

export const isGrantedRole = (value: unknown): value is GrantedRole => grantedRoles.some((role) => role === value);

/** True when a caller holding `held` may do what needs `needed` (read < write < admin). */
export const roleAllows = (held: Role, needed: Role): boolean => roles.indexOf(held) >= roles.indexOf(needed);
