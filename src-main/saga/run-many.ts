// Runs `count` jobs with at most `concurrency` in flight: the demo's and the benchmark's driver.

export async function runMany<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await job(i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return results;
}
