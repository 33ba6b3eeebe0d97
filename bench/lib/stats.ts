/** Percentile of a sorted-on-demand sample (nearest-rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Times an async function `iterations` times after a warm-up; returns p50/p95 in milliseconds
 * and the number of samples. With `budgetMs`, a slow function stops early once it has spent the
 * budget and taken at least `minSamples` samples (30 by default: enough for a p95), so that a
 * 300 ms statement does not cost the run 100 × 300 ms for a figure 40 samples already give.
 */
export async function timeIt(
  fn: () => Promise<unknown>,
  iterations: number,
  warmup = Math.min(20, iterations),
  opts: { budgetMs?: number; minSamples?: number } = {},
): Promise<{ p50: number; p95: number; n: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const started = performance.now();
  const min = Math.min(iterations, opts.minSamples ?? 30);
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (opts.budgetMs !== undefined && samples.length >= min && performance.now() - started >= opts.budgetMs) break;
  }
  return { p50: round(percentile(samples, 50), 3), p95: round(percentile(samples, 95), 3), n: samples.length };
}

/** A small deterministic PRNG (mulberry32) so synthetic data is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
