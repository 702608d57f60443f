import { randomBytes } from 'node:crypto';

/* A random prefix per process and a counter: unique on this server, and not guessable from another one's. */
const prefix = randomBytes(4).toString('hex');
let next = 0;

/**
 * The one id generator for streams on the wire: an event subscription in any dialect, and each
 * Plexus hub call (every hub call is a stream). 16 hex digits, as Plexus subscription ids are.
 */
export const newSubscriptionId = (): string => `${prefix}${(next++).toString(16).padStart(8, '0')}`;
