import { type CheckDefinition, type CheckResult, type CheckVerdict, isTtlAlive, type Service } from '../domain/index.js';
import { probeHttp, probeScript, probeTcp, probeTls, probeWs, type ProbeContext } from './probes/index.js';

export interface ProbeOptions {
  /** Sent as User-Agent by http and ws probes. */
  readonly userAgent: string;
  /** Wall-clock time for dates (TTLs, certificate expiry); the injected clock. */
  readonly now: () => number;
  /** Ends every probe early (the scheduler is closing). */
  readonly signal?: AbortSignal;
}

type Outcome = { readonly verdict: CheckVerdict; readonly output: string };

/** A `ttl` check: passing while the service showed a sign of life (register or ping) within it. */
function judgeTtl(service: Service, ttlMs: number, now: number): Outcome {
  const seen = service.lastSeen ?? service.registeredAt;
  const ago = Math.max(0, Math.round((now - seen) / 1000));
  const alive = isTtlAlive({ ...service, ttlSeconds: ttlMs / 1000 }, now);
  return { verdict: alive ? 'pass' : 'fail', output: `last sign of life ${ago}s ago (TTL ${ttlMs / 1000}s)` };
}

function dispatch(check: CheckDefinition, service: Service, ctx: ProbeContext, options: ProbeOptions): Promise<Outcome> {
  switch (check.kind) {
    case 'http':
    case 'https':
      return probeHttp(check, ctx);
    case 'tcp':
      return probeTcp(check, ctx);
    case 'ws':
    case 'wss':
      return probeWs(check, ctx);
    case 'tls':
      return probeTls(check, ctx, options.now);
    case 'script':
      return probeScript(check, ctx);
    case 'ttl':
      return Promise.resolve(judgeTtl(service, check.ttlMs, options.now()));
    default: {
      const never: never = check;
      return never;
    }
  }
}

/** How long after its timeout a probe that ignored the abort is given up on. */
const GRACE_MS = 1_000;

/**
 * Runs one check once. It resolves within the timeout (plus a short grace for a probe that is
 * slow to notice the abort), so a hung target cannot hold a slot of the scheduler.
 */
export async function runProbe(check: CheckDefinition, service: Service, options: ProbeOptions): Promise<CheckResult> {
  // One controller per run, aborted by its own timer or by the scheduler closing (no AbortSignal.any:
  // on Node 20 it keeps a reference per run on the long-lived signal).
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(abort, check.timeoutMs);
  let abandon: NodeJS.Timeout | undefined;
  const abandoned = new Promise<Outcome>((resolve) => {
    abandon = setTimeout(() => resolve({ verdict: 'fail', output: `no answer within ${check.timeoutMs} ms` }), check.timeoutMs + GRACE_MS);
  });
  const ctx: ProbeContext = { signal: controller.signal, timeoutMs: check.timeoutMs, userAgent: options.userAgent };
  const started = performance.now();
  try {
    const outcome = options.signal?.aborted === true ? { verdict: 'fail' as const, output: 'not run: the scheduler is closing' } : await Promise.race([dispatch(check, service, ctx, options), abandoned]);
    return { ...outcome, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { verdict: 'fail', output: `the probe failed: ${error instanceof Error ? error.message : String(error)}`, durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
    clearTimeout(abandon);
    options.signal?.removeEventListener('abort', abort);
  }
}
