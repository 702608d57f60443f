/**
 * Starting processes side by side: what a scenario needs before it measures (servers, baselines,
 * targets) starts at once, so the starts overlap one another and nothing that is measured. When
 * one fails, those that started are closed before the failure is passed on.
 */

export interface Closable {
  close(): Promise<unknown>;
}

async function closeStarted(outcomes: readonly PromiseSettledResult<Closable>[]): Promise<void> {
  await Promise.allSettled(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
}

/** Every start of `starts`, in order, once all have started. */
export async function allStarted<T extends Closable>(starts: readonly Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(starts);
  const started: T[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      await closeStarted(outcomes);
      throw outcome.reason;
    }
    started.push(outcome.value);
  }
  return started;
}

/** Two starts of different kinds, once both have started. */
export async function bothStarted<A extends Closable, B extends Closable>(a: Promise<A>, b: Promise<B>): Promise<readonly [A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'fulfilled' && second.status === 'fulfilled') return [first.value, second.value];
  await closeStarted([first, second]);
  throw first.status === 'rejected' ? first.reason : second.status === 'rejected' ? second.reason : new Error('a start failed');
}
