import { choleskyFactor, choleskySolve } from "./cholesky.js";
import type { GramStatistics } from "./gram-statistics.js";
import { penalized } from "./ridge-regression.js";
import { sigmoid, softplusNegative } from "./scalar-functions.js";
import type { SparseRows } from "./sparse-rows.js";

/** Inputs of {@link fitLogistic}. */
export interface LogisticOptions {
  rows: SparseRows;
  /** Targets in [0, 1], row-major n × t. */
  y: Float64Array;
  targets: number;
  /** Gram statistics of `rows` (only `gram` is used). */
  statistics: GramStatistics;
  /** L2 penalty of each target. */
  penalties: Float64Array;
  unpenalized: ReadonlySet<number>;
  /** Starting weights, row-major p × t (e.g. converted from a ridge fit). */
  initial: Float64Array;
  maxIterations: number;
  /** Stop when the penalised mean loss improves by less than this. */
  tolerance: number;
}

/** A fitted multi-target logistic regression. */
export interface LogisticFit {
  weights: Float64Array;
  iterations: number;
  /** Penalised mean log-loss per row at the returned weights. */
  loss: number;
}

/**
 * L2-penalised logistic regression (soft targets allowed) by Böhning's bound optimisation (Böhning &
 * Lindsay 1988; Böhning 1992): the logistic Hessian is bounded by XᵀX / 4, so the fixed matrix
 * H = XᵀX / 4 + λ I' is factored once per target and every Newton-like step
 * w ← w + H⁻¹ (Xᵀ(y − σ(Xw)) − λ I' w) is guaranteed not to increase the loss. Each iteration is one
 * pass over the non-zeros for all targets at once.
 */
export function fitLogistic(options: LogisticOptions): LogisticFit {
  const { rows, y, targets: t, statistics, penalties, unpenalized, maxIterations, tolerance } = options;
  const p = rows.dimension;
  const n = rows.count;
  const factors = new Map<number, Float64Array>();
  for (const penalty of new Set(penalties)) {
    const factor = choleskyFactor(penalized(statistics, penalty, unpenalized, 0.25), p);
    if (!factor) throw new Error(`logistic Hessian bound is not positive definite at λ = ${penalty}`);
    factors.set(penalty, factor);
  }
  const weights = options.initial.slice();
  const gradient = new Float64Array(p * t);
  const logits = new Float64Array(t);
  let previousLoss = Infinity;
  let iterations = 0;
  let loss = Infinity;
  for (; iterations < maxIterations; iterations++) {
    gradient.fill(0);
    let sum = 0;
    for (let r = 0; r < n; r++) {
      const start = rows.offsets[r]!;
      const end = rows.offsets[r + 1]!;
      logits.fill(0);
      for (let a = start; a < end; a++) {
        const base = rows.indices[a]! * t;
        const value = rows.values[a]!;
        for (let c = 0; c < t; c++) logits[c]! += value * weights[base + c]!;
      }
      for (let c = 0; c < t; c++) {
        const target = y[r * t + c]!;
        const z = logits[c]!;
        sum += target * softplusNegative(z) + (1 - target) * softplusNegative(-z);
        logits[c] = target - sigmoid(z);
      }
      for (let a = start; a < end; a++) {
        const base = rows.indices[a]! * t;
        const value = rows.values[a]!;
        for (let c = 0; c < t; c++) gradient[base + c]! += value * logits[c]!;
      }
    }
    for (let c = 0; c < t; c++) {
      let penalty = 0;
      for (let i = 0; i < p; i++) {
        if (unpenalized.has(i)) continue;
        const w = weights[i * t + c]!;
        penalty += w * w;
        gradient[i * t + c]! -= penalties[c]! * w;
      }
      sum += 0.5 * penalties[c]! * penalty;
    }
    loss = sum / Math.max(1, n);
    if (previousLoss - loss < tolerance) break;
    previousLoss = loss;
    const column = new Float64Array(p);
    for (let c = 0; c < t; c++) {
      for (let i = 0; i < p; i++) column[i] = gradient[i * t + c]!;
      choleskySolve(factors.get(penalties[c]!)!, p, column, 1);
      for (let i = 0; i < p; i++) weights[i * t + c]! += column[i]!;
    }
  }
  // After the last allowed iteration the final step is kept unmeasured: Böhning steps never increase the loss.
  return { weights, iterations, loss };
}
