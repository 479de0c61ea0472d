import type { SparseRows } from "./sparse-rows.js";

/**
 * Sufficient statistics of least squares over a set of rows: the Gram matrix XᵀX (p × p, row-major,
 * symmetric), the cross products XᵀY (p × t, row-major) and Σ y² per target. Ridge regression,
 * its cross-validation (held-out error = yᵀy − 2wᵀXᵀy + wᵀXᵀXw) and the Hessian bound of logistic
 * regression all work from these, so the data is read once.
 */
export interface GramStatistics {
  dimension: number;
  targets: number;
  count: number;
  gram: Float64Array;
  crossProducts: Float64Array;
  targetSquares: Float64Array;
}

/** Empty statistics for `dimension` features and `targets` targets. */
export function emptyGramStatistics(dimension: number, targets: number): GramStatistics {
  return {
    dimension,
    targets,
    count: 0,
    gram: new Float64Array(dimension * dimension),
    crossProducts: new Float64Array(dimension * targets),
    targetSquares: new Float64Array(targets),
  };
}

/**
 * Adds row `r` of `rows` (indices ascending) with its targets `y[r × t … r × t + t)` to `statistics`.
 * Only the lower triangle of the Gram matrix is accumulated; call {@link symmetrize} when done.
 */
export function addRow(statistics: GramStatistics, rows: SparseRows, r: number, y: Float64Array): void {
  const { gram, crossProducts, targetSquares, dimension: p, targets: t } = statistics;
  const start = rows.offsets[r]!;
  const end = rows.offsets[r + 1]!;
  const { indices, values } = rows;
  for (let a = start; a < end; a++) {
    const ia = indices[a]!;
    const va = values[a]!;
    const base = ia * p;
    for (let b = start; b <= a; b++) gram[base + indices[b]!]! += va * values[b]!;
    const crossBase = ia * t;
    for (let c = 0; c < t; c++) crossProducts[crossBase + c]! += va * y[r * t + c]!;
  }
  for (let c = 0; c < t; c++) targetSquares[c]! += y[r * t + c]! ** 2;
  statistics.count++;
}

/** Copies the lower triangle of the Gram matrix onto the upper one. */
export function symmetrize(statistics: GramStatistics): void {
  const { gram, dimension: p } = statistics;
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) gram[j * p + i] = gram[i * p + j]!;
}

/** Element-wise `a + sign × b` of two statistics of the same shape (new object). */
export function combineGramStatistics(a: GramStatistics, b: GramStatistics, sign: 1 | -1): GramStatistics {
  const result = emptyGramStatistics(a.dimension, a.targets);
  result.count = a.count + sign * b.count;
  for (let i = 0; i < a.gram.length; i++) result.gram[i] = a.gram[i]! + sign * b.gram[i]!;
  for (let i = 0; i < a.crossProducts.length; i++) result.crossProducts[i] = a.crossProducts[i]! + sign * b.crossProducts[i]!;
  for (let i = 0; i < a.targetSquares.length; i++) result.targetSquares[i] = a.targetSquares[i]! + sign * b.targetSquares[i]!;
  return result;
}

/**
 * Statistics of each of `folds` folds (row `r` belongs to fold `fold[r]`), symmetrised. `y` holds `t`
 * targets per row, row-major.
 */
export function foldGramStatistics(rows: SparseRows, y: Float64Array, targets: number, fold: Int32Array, folds: number): GramStatistics[] {
  const statistics = Array.from({ length: folds }, () => emptyGramStatistics(rows.dimension, targets));
  for (let r = 0; r < rows.count; r++) addRow(statistics[fold[r]!]!, rows, r, y);
  for (const s of statistics) symmetrize(s);
  return statistics;
}
