/**
 * Per-connection and per-server limits (SECURITY.md). Each one ends in a clear answer: an HTTP
 * 503 on the upgrade, a `rate_limited` or `limit_exceeded` error in the caller's dialect, or a
 * close code.
 */
import type { LimitSettings } from '../config/index.js';
import { isLoopback, normaliseAddress } from '../domain/index.js';

/**
 * A token bucket: `capacity` requests at once, refilled at `perSecond`. Time comes from the
 * caller, so it follows the server's clock.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** True when the bucket has this rate and size (a reload may give the connection new ones). */
  shaped(perSecond: number, capacity: number): boolean {
    return this.perSecond === perSecond && this.capacity === capacity;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A refusal of a new connection: the HTTP status and why. */
export interface Refusal {
  readonly status: number;
  readonly reason: string;
}

/** One key per caller: an IPv4-mapped address and its IPv4 form count as one (the one IP module decides). */
const plainAddress = (address: string | undefined): string => (address === undefined ? '' : normaliseAddress(address));

/**
 * Counts open connections, in all and per remote address. Loopback callers count only in the
 * total: they are this host, like a local socket, and local services may be many.
 */
export class ConnectionLimiter {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  /** The limits in force; a reload replaces them (connections already open stay open). */
  constructor(public limits: Pick<LimitSettings, 'maxConnections' | 'maxConnectionsPerAddress'>) {}

  get open(): number {
    return this.total;
  }

  /** Takes a place for a connection from `address`: a release function, or why not. */
  admit(address: string | undefined): (() => void) | Refusal {
    const { maxConnections, maxConnectionsPerAddress } = this.limits;
    if (this.total >= maxConnections) {
      return { status: 503, reason: `the server holds its limit of ${maxConnections} connections; try again later` };
    }
    const key = plainAddress(address);
    const counted = !isLoopback(key);
    const held = this.perAddress.get(key) ?? 0;
    if (counted && held >= maxConnectionsPerAddress) {
      return { status: 503, reason: `${key} holds its limit of ${maxConnectionsPerAddress} connections; close some or try again later` };
    }
    this.total++;
    if (counted) this.perAddress.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      if (!counted) return;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(key);
      else this.perAddress.set(key, left);
    };
  }
}
