import type { RoutingExample } from "../data/routing-example.js";

/**
 * Every example's score on every model, row-major n × m (`scores[i × m + j]`), clipped into [0, 1]. A
 * missing outcome is filled with that model's mean score over the examples that have one (0.5 when none
 * has), so it pulls no prediction either way.
 */
export function scoreMatrixOf(examples: readonly RoutingExample[], models: readonly string[]): Float64Array {
  const n = examples.length;
  const m = models.length;
  const scores = new Float64Array(n * m);
  const missing: number[] = [];
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  examples.forEach((example, i) => {
    models.forEach((model, j) => {
      const score = example.outcomes[model]?.score;
      if (typeof score !== "number" || !Number.isFinite(score)) {
        missing.push(i * m + j);
        return;
      }
      const clipped = Math.min(1, Math.max(0, score));
      scores[i * m + j] = clipped;
      sums[j]! += clipped;
      counts[j]! += 1;
    });
  });
  for (const at of missing) {
    const j = at % m;
    scores[at] = counts[j]! > 0 ? sums[j]! / counts[j]! : 0.5;
  }
  return scores;
}

/** Mean of each column of a row-major n × m matrix. */
export function columnMeans(matrix: Float64Array, m: number): Float64Array {
  const n = m > 0 ? matrix.length / m : 0;
  const means = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) means[j]! += matrix[i * m + j]!;
  if (n > 0) for (let j = 0; j < m; j++) means[j]! /= n;
  return means;
}
