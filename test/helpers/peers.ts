/**
 * Tests that need a real peer (root, `ip netns`, sshd, wireguard-go) skip loudly when it is
 * absent, and fail instead when REGISTRY_TEST_STRICT=1 (CI machines that must run everything).
 */
import type { TestContext } from 'node:test';

export const strictPeers = (): boolean => process.env.REGISTRY_TEST_STRICT === '1';

/**
 * True when `condition` holds. Otherwise: under REGISTRY_TEST_STRICT=1 throws (the test fails);
 * else marks the test skipped, prints the reason to stderr, and returns false so the test returns.
 */
export function requirePeer(t: TestContext, condition: boolean, reason: string): boolean {
  if (condition) return true;
  if (strictPeers()) throw new Error(`required peer missing (REGISTRY_TEST_STRICT=1): ${reason}`);
  process.stderr.write(`\n*** SKIPPED ${t.name}: ${reason} (set REGISTRY_TEST_STRICT=1 to fail instead) ***\n`);
  t.skip(reason);
  return false;
}
