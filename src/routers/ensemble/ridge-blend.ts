import { choleskyFactor, choleskySolve } from "../../math/cholesky.js";

/**
 * Multi-target ridge regression on a small dense design (a few dozen columns): w = (XᵀX + λI')⁻¹Xᵀy,
 * the last column (the intercept) unpenalised (Hoerl & Kennard, 1970). Rows are `x[i]` (length p),
 * targets `y[i]` (length t). Returns weights row-major p × t, or null when the system is singular.
 */
export function fitDenseRidge(x: readonly Float64Array[], y: readonly Float64Array[], penalty: number): Float64Array | null {
  const p = x[0]?.length ?? 0;
  const t = y[0]?.length ?? 0;
  if (p === 0 || t === 0) return null;
  const gram = new Float64Array(p * p);
  const moment = new Float64Array(p * t);
  for (let i = 0; i < x.length; i++) {
    const row = x[i]!;
    const target = y[i]!;
    for (let a = 0; a < p; a++) {
      const value = row[a]!;
      if (value === 0) continue;
      for (let b = 0; b <= a; b++) gram[a * p + b]! += value * row[b]!;
      for (let c = 0; c < t; c++) moment[a * t + c]! += value * target[c]!;
    }
  }
  for (let a = 0; a < p - 1; a++) gram[a * p + a]! += penalty;
  gram[(p - 1) * p + (p - 1)]! += 1e-9;
  const factor = choleskyFactor(gram, p);
  if (!factor) return null;
  return choleskySolve(factor, p, moment, t);
}

/** `xᵀW` for one row, column `target` of weights `p × t`. */
export function applyRidge(row: Float64Array, weights: Float64Array, targets: number, target: number): number {
  let sum = 0;
  for (let a = 0; a < row.length; a++) sum += row[a]! * weights[a * targets + target]!;
  return sum;
}
