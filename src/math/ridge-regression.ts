import { choleskyFactor, choleskySolve } from "./cholesky.js";
import { combineGramStatistics, type GramStatistics } from "./gram-statistics.js";

/** What {@link fitRidge} needs besides the statistics. */
export interface RidgeOptions {
  /** Candidate L2 penalties λ; one is chosen per target by cross-validation over the folds. */
  penalties: readonly number[];
  /** Feature indices left unpenalised (the intercept). */
  unpenalized?: readonly number[];
}

/** A fitted multi-target ridge regression. */
export interface RidgeFit {
  /** Weights, row-major p × t: `weights[i × t + c]` is feature i's weight for target c. */
  weights: Float64Array;
  /** The λ chosen for each target. */
  penalties: Float64Array;
  /** Cross-validated mean squared error of each target at its λ (NaN without folds). */
  validationError: Float64Array;
}

/**
 * Ridge regression from Gram statistics: w = (XᵀX + λ I')⁻¹ Xᵀy, I' the identity without the
 * unpenalised features (Hoerl & Kennard, 1970). With two or more folds, λ is chosen per target by
 * k-fold cross-validation computed from the statistics alone: the held-out error of fold f is
 * y_fᵀy_f − 2wᵀX_fᵀy_f + wᵀX_fᵀX_f w, so no pass over the data is needed. With fewer folds the
 * middle candidate is used.
 */
export function fitRidge(folds: readonly GramStatistics[], options: RidgeOptions): RidgeFit {
  const first = folds[0];
  if (!first || options.penalties.length === 0) throw new Error("fitRidge needs at least one fold and one penalty");
  const total = folds.slice(1).reduce((sum, fold) => combineGramStatistics(sum, fold, 1), first);
  const t = total.targets;
  const unpenalized = new Set(options.unpenalized ?? []);
  const chosen = new Float64Array(t).fill(options.penalties[Math.floor((options.penalties.length - 1) / 2)]!);
  const validationError = new Float64Array(t).fill(NaN);
  if (folds.length >= 2) {
    const best = new Float64Array(t).fill(Infinity);
    for (const penalty of options.penalties) {
      const error = new Float64Array(t);
      for (const fold of folds) {
        const training = combineGramStatistics(total, fold, -1);
        const weights = solveRidge(training, penalty, unpenalized);
        if (!weights) {
          error.fill(Infinity);
          break;
        }
        addHeldOutError(fold, weights, error);
      }
      for (let c = 0; c < t; c++) {
        if (error[c]! < best[c]!) {
          best[c] = error[c]!;
          chosen[c] = penalty;
          validationError[c] = error[c]! / Math.max(1, total.count);
        }
      }
    }
  }
  const weights = new Float64Array(total.dimension * t);
  for (const penalty of new Set(chosen)) {
    const solved = solveRidge(total, penalty, unpenalized);
    if (!solved) throw new Error(`ridge system is not positive definite at λ = ${penalty}`);
    for (let c = 0; c < t; c++) {
      if (chosen[c] !== penalty) continue;
      for (let i = 0; i < total.dimension; i++) weights[i * t + c] = solved[i * t + c]!;
    }
  }
  return { weights, penalties: chosen, validationError };
}

/** Solves the ridge system for every target at one λ; null when the system is singular. */
export function solveRidge(statistics: GramStatistics, penalty: number, unpenalized: ReadonlySet<number>): Float64Array | null {
  const factor = choleskyFactor(penalized(statistics, penalty, unpenalized), statistics.dimension);
  if (!factor) return null;
  return choleskySolve(factor, statistics.dimension, statistics.crossProducts.slice(), statistics.targets);
}

/** XᵀX + λ I' as a new matrix. */
export function penalized(statistics: GramStatistics, penalty: number, unpenalized: ReadonlySet<number>, scale = 1): Float64Array {
  const p = statistics.dimension;
  const matrix = new Float64Array(p * p);
  for (let i = 0; i < matrix.length; i++) matrix[i] = scale * statistics.gram[i]!;
  for (let i = 0; i < p; i++) if (!unpenalized.has(i)) matrix[i * p + i]! += penalty;
  return matrix;
}

function addHeldOutError(fold: GramStatistics, weights: Float64Array, error: Float64Array): void {
  const { dimension: p, targets: t, gram, crossProducts, targetSquares } = fold;
  const projected = new Float64Array(p * t);
  // projected = X_fᵀX_f W (p × t), then error_c = y_cᵀy_c − 2 w_cᵀ(X_fᵀy)_c + w_cᵀ projected_c.
  for (let i = 0; i < p; i++) {
    const row = i * p;
    for (let j = 0; j < p; j++) {
      const g = gram[row + j]!;
      if (g === 0) continue;
      for (let c = 0; c < t; c++) projected[i * t + c]! += g * weights[j * t + c]!;
    }
  }
  for (let c = 0; c < t; c++) {
    let cross = 0;
    let quadratic = 0;
    for (let i = 0; i < p; i++) {
      cross += weights[i * t + c]! * crossProducts[i * t + c]!;
      quadratic += weights[i * t + c]! * projected[i * t + c]!;
    }
    error[c]! += targetSquares[c]! - 2 * cross + quadratic;
  }
}
