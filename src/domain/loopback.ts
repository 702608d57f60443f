/**
 * The one loopback test: the server's auth gives loopback callers their role, the configuration
 * allows plaintext only on loopback, and topology places a loopback caller on this host. All
 * three ask this function, so they agree on every spelling of an address.
 */
import { parseIp, withoutZone } from './ip.js';

/**
 * True for `localhost`, 127.0.0.0/8 and `::1`, in any spelling an address comes in: bracketed
 * (`[::1]`), with a zone (`::1%lo`), expanded (`0:0:0:0:0:0:0:1`) or IPv4-mapped
 * (`::ffff:127.0.0.1`, which the IP module reads as the IPv4 address it carries). Any other name
 * is not loopback: what it resolves to is DNS's business.
 */
export function isLoopback(hostOrAddress: string): boolean {
  const bare = hostOrAddress.trim().replace(/^\[(.*)\]$/, '$1');
  const lower = bare.toLowerCase();
  if (lower === 'localhost' || lower === 'localhost.') return true;
  const ip = parseIp(withoutZone(bare));
  if (ip === undefined) return false;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}
