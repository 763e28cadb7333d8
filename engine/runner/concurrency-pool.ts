/**
 * Runs `task` for every index in `indexes`, at most `concurrency` at a time, in index order of
 * starting. Stops starting new tasks once `shouldStop()` is true (tasks already started finish).
 */
export async function runPool(
  indexes: readonly number[],
  concurrency: number,
  task: (index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < indexes.length && !shouldStop()) {
      const index = indexes[next++] as number;
      await task(index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, indexes.length)) }, () => worker());
  await Promise.all(workers);
}
