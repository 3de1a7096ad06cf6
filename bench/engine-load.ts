/**
 * Open-loop load: tasks are launched on a fixed schedule whatever the system's
 * answers, and each latency counts from the task's scheduled time, so a slow
 * system cannot hide its queueing (no coordinated omission).
 */
export interface LoadResult {
  offeredRate: number;
  launched: number;
  completed: number;
  errors: number;
  firstError: string | null;
  /** From the first scheduled launch to the last completion. */
  wallSeconds: number;
  completedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runOpenLoop(rate: number, seconds: number, task: (index: number) => Promise<void>): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    running.push(
      task(i).then(
        () => void latencies.push(performance.now() - scheduled),
        (error: unknown) => {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(running);
  const wallSeconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    offeredRate: rate,
    launched: total,
    completed: latencies.length,
    errors,
    firstError,
    wallSeconds,
    completedPerSecond: latencies.length / wallSeconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? NaN,
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

/** A rate is sustained when nearly every task completed and the tail stays under the target. */
export function sustains(result: LoadResult, p99TargetMs: number): boolean {
  return result.errors === 0 && result.completed === result.launched && result.p99Ms <= p99TargetMs;
}
