import { choleskyFactor, choleskySolve } from "../../math/cholesky.js";
import { clamp01 } from "../../math/scalar-functions.js";

/**
 * The prior quality of a model added online with anchors: q₀(x) = intercept + Σₖ weightₖ · qₖ(x), a linear
 * read-out of the known models' posterior qualities qₖ(x) at the prompt. It says which incumbents the new
 * model answers like (a new release of a family resembles its predecessor), so the incumbents' per-prompt
 * knowledge — a kNN prior's, say — carries over to it from a few dozen anchor outcomes.
 */
export interface AnchorPrior {
  intercept: number;
  /** Weight per known model; a model removed since simply drops out of the sum. */
  weights: Record<string, number>;
}

/** One anchor: the known models' posterior qualities at its prompt (in `known` order) and the new model's reward. */
export interface AnchorRow {
  known: Float64Array;
  reward: number;
}

/**
 * Fits the read-out by ridge regression shrunk toward `cluster`'s "cluster-difficulty" estimate — the
 * known models' mean plus the new model's mean offset from it on the anchors (intercept = offset, every
 * weight 1/m) — with `shrinkage` pseudo-anchors of weight: few anchors stay close to that estimate, many
 * let the fit say which incumbents the model resembles. Solves (QᵀQ + μI) w = Qᵀy + μ w₀ with rows
 * Q = [1, q₁ … qₘ].
 */
export function fitAnchorPrior(rows: readonly AnchorRow[], known: readonly string[], shrinkage: number): AnchorPrior {
  const m = known.length;
  const n = m + 1;
  if (rows.length === 0 || m === 0) return { intercept: 0, weights: Object.fromEntries(known.map((model) => [model, m > 0 ? 1 / m : 0])) };
  let offset = 0;
  for (const row of rows) {
    let mean = 0;
    for (let k = 0; k < m; k++) mean += row.known[k]!;
    offset += clamp01(row.reward) - mean / m;
  }
  offset /= rows.length;
  const start = Float64Array.from({ length: n }, (_, j) => (j === 0 ? offset : 1 / m));
  const gram = new Float64Array(n * n);
  const right = new Float64Array(n);
  const q = new Float64Array(n);
  for (const row of rows) {
    q[0] = 1;
    for (let k = 0; k < m; k++) q[k + 1] = row.known[k]!;
    const y = clamp01(row.reward);
    for (let i = 0; i < n; i++) {
      right[i]! += q[i]! * y;
      for (let j = 0; j <= i; j++) gram[i * n + j]! += q[i]! * q[j]!;
    }
  }
  for (let i = 0; i < n; i++) {
    gram[i * n + i]! += shrinkage;
    right[i]! += shrinkage * start[i]!;
  }
  const factor = choleskyFactor(gram, n);
  const w = factor ? choleskySolve(factor, n, right, 1) : start;
  return { intercept: w[0]!, weights: Object.fromEntries(known.map((model, k) => [model, w[k + 1]!])) };
}

/** q₀(x) of an anchored model from the known models' posterior qualities at x (`known` order), clamped to [0, 1]. */
export function anchorPriorQuality(prior: AnchorPrior, known: readonly string[], qualities: Float64Array): number {
  let sum = prior.intercept;
  known.forEach((model, k) => (sum += (prior.weights[model] ?? 0) * qualities[k]!));
  return clamp01(sum);
}
