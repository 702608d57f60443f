/** What every probe gets besides its target. */
export interface ProbeContext {
  /** Aborts when the check's timeout passes (or the scheduler closes). */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Sent by http and ws probes: names this registry server, so a target's logs say who probed. */
  readonly userAgent: string;
}

/** A failure in words: a timeout says so, other errors give their code and message. */
export function describeFailure(error: unknown, ctx: ProbeContext): string {
  if (ctx.signal.aborted) return `no answer within ${ctx.timeoutMs} ms`;
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
    return code === '' || error.message.includes(code) ? error.message : `${code}: ${error.message}`;
  }
  return String(error);
}
