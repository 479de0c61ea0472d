import { choleskyFactor, choleskySolve } from "../../math/cholesky.js";
import { clamp01 } from "../../math/scalar-functions.js";

/**
 * The prior quality of a model added online with anchors: q₀(x) = intercept + Σₖ weightₖ · qₖ(x), a linear
 * read-out of the known models' posterior qualities qₖ(x) at the prompt. It says which incumbents the new
 * model answers like (a new release of a family resembles its predecessor), so the incumbents' per-prompt
 * knowledge — a kNN prior's, say — carries over to it from a few dozen anchor outcomes. The read-out keeps
 * its normal equations (`models`, `gram`, `right`) so that the model's served outcomes refine it
 * ({@link refineAnchorPrior}): a dozen parameters learn from every answer, where the model's own ridge arm
 * over the prompt features (hundreds of them) would need hundreds of answers before its estimates are not
 * mostly noise — noise that, among the served prompts, leans high (they were chosen for looking good).
 */
export interface AnchorPrior {
  intercept: number;
  /** Weight per known model; a model removed since simply drops out of the sum. */
  weights: Record<string, number>;
  /** The read-out's columns after the intercept (absent in a read-out stored without its statistics: it stays as it is). */
  models?: string[];
  /** QᵀQ + shrinkage·I of the fit, row-major (models.length + 1)², and Qᵀy + shrinkage·w₀. */
  gram?: number[];
  right?: number[];
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
  for (const row of rows) addRow(gram, right, rowOf(row.known), row.reward);
  for (let i = 0; i < n; i++) {
    gram[i * n + i]! += shrinkage;
    right[i]! += shrinkage * start[i]!;
  }
  const w = solve(gram, right, n) ?? start;
  return { ...readOut(w, known), models: [...known], gram: [...gram], right: [...right] };
}

/**
 * The read-out after one more outcome of its model: `reward` at a prompt where the known models' posterior
 * qualities are `qualities` (`known` order; a column whose model is no longer known reads 0). A read-out
 * without its statistics is returned unchanged.
 */
export function refineAnchorPrior(prior: AnchorPrior, known: readonly string[], qualities: Float64Array, reward: number): AnchorPrior {
  const { models, gram, right } = prior;
  if (!models || !gram || !right) return prior;
  const n = models.length + 1;
  const q = rowOf(
    Float64Array.from(models, (model) => {
      const at = known.indexOf(model);
      return at >= 0 ? qualities[at]! : 0;
    }),
  );
  const nextGram = Float64Array.from(gram);
  const nextRight = Float64Array.from(right);
  addRow(nextGram, nextRight, q, reward);
  const w = solve(nextGram, nextRight, n);
  if (!w) return prior;
  return { ...readOut(w, models), models, gram: [...nextGram], right: [...nextRight] };
}

/** q₀(x) of an anchored model from the known models' posterior qualities at x (`known` order), clamped to [0, 1]. */
export function anchorPriorQuality(prior: AnchorPrior, known: readonly string[], qualities: Float64Array): number {
  let sum = prior.intercept;
  known.forEach((model, k) => (sum += (prior.weights[model] ?? 0) * qualities[k]!));
  return clamp01(sum);
}

/** A regression row [1, q₁ … qₘ]. */
function rowOf(known: Float64Array): Float64Array {
  const q = new Float64Array(known.length + 1);
  q[0] = 1;
  q.set(known, 1);
  return q;
}

function addRow(gram: Float64Array, right: Float64Array, q: Float64Array, reward: number): void {
  const n = q.length;
  const y = clamp01(reward);
  for (let i = 0; i < n; i++) {
    right[i]! += q[i]! * y;
    for (let j = 0; j < n; j++) gram[i * n + j]! += q[i]! * q[j]!;
  }
}

function solve(gram: Float64Array, right: Float64Array, n: number): Float64Array | undefined {
  const factor = choleskyFactor(gram, n);
  return factor ? choleskySolve(factor, n, Float64Array.from(right), 1) : undefined;
}

function readOut(w: Float64Array, models: readonly string[]): Pick<AnchorPrior, "intercept" | "weights"> {
  return { intercept: w[0]!, weights: Object.fromEntries(models.map((model, k) => [model, w[k + 1]!])) };
}
