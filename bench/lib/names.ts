/**
 * Names and hosts of the seeded services. Apart from seed.ts (which imports the server's config,
 * store and TLS code), so the load threads that address services by name start without loading
 * the server: that import alone took about 0.45 s of each thread's start.
 */

/** The name of the k-th seeded service: every scenario addresses services by it. */
export const seededName = (k: number): string => `bench-${k}`;

/** The host of the k-th seeded service: `10.a.b.c`, unique for the first 2^24. */
export const seededHost = (k: number): string => `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
