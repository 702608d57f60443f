import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { TokenReadView, TokenRecord } from '../store/index.js';

/**
 * Bearer token secrets: 32 random bytes (256 bits), base64url, behind a prefix that secret
 * scanners can look for. Only their SHA-256 is stored: a secret this long cannot be guessed from
 * its hash, so a slow password hash would add nothing but cost on every connection (SECURITY.md).
 */
export const TOKEN_PREFIX = 'srg_';
const SECRET_BYTES = 32;

/** What a token secret may look like on the wire: checked before hashing, never echoed back. */
export const tokenSecret = z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters');

/** Token names: like client certificate names, printable and short. */
export const tokenName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'must be 1-64 characters of letters, digits, ".", "_", "@" or "-", starting with a letter or digit');

export const newTokenSecret = (): string => `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;

/** SHA-256 of the secret as lowercase hex: what the store keeps and looks tokens up by. */
export const hashTokenSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The token itself while it grants its role: undefined once it expired (the sweeper removes it soon after). */
export const liveToken = (token: TokenRecord | undefined, now: number): TokenRecord | undefined =>
  token === undefined || (token.expiresAt !== undefined && token.expiresAt <= now) ? undefined : token;

/** The unexpired token a secret belongs to, if any. */
export const findToken = (tokens: TokenReadView, secret: string, now: number): TokenRecord | undefined => liveToken(tokens.byHash(hashTokenSecret(secret)), now);

/** A token on the wire: never its secret or hash. */
export interface TokenOutput {
  readonly name: string;
  readonly role: TokenRecord['role'];
  /** Unix seconds, like every wire timestamp. */
  readonly created_at: number;
  /** Unix seconds; absent: it never expires. */
  readonly expires_at?: number;
}

export const tokenOutput = (token: TokenRecord): TokenOutput => ({
  name: token.name,
  role: token.role,
  created_at: Math.floor(token.createdAt / 1000),
  ...(token.expiresAt === undefined ? {} : { expires_at: Math.floor(token.expiresAt / 1000) }),
});
