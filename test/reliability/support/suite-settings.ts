/**
 * How hard the reliability suite pushes. The default variants run in `npm test` (about a minute
 * in all on two cores); `IDFLOW_RELIABILITY=full` runs the heavy ones (more kill points, larger
 * bulk runs, more fuzzing). Every random choice comes from a seed: `IDFLOW_RELIABILITY_SEED`
 * replays one (the seed is printed in each test's name and failure message).
 */
export const FULL = process.env['IDFLOW_RELIABILITY'] === 'full';

/** The seed of the random choices (kill points, fault schedules), from the environment or fixed. */
export const RELIABILITY_SEED = readSeed(process.env['IDFLOW_RELIABILITY_SEED'], 20261122);

/** The seed of the fuzzers (`IDFLOW_FUZZ_SEED` to replay a failure), from the environment or fixed. */
export const FUZZ_SEED = readSeed(process.env['IDFLOW_FUZZ_SEED'], 7_2026);

function readSeed(text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`a seed must be a whole number, got "${text}"`);
  return seed;
}

/** Runs `task` over `items`, at most `limit` at a time, in order of start. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Waits until `predicate` holds, checking every millisecond (a kill must land close to its point). */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
