import { sparseAffine } from "../../math/sparse-linear.js";

/** Weights of the matrix-factorisation scorer. */
export interface MatrixFactorizationWeights {
  inputDimension: number;
  /** d. */
  dimension: number;
  models: number;
  /** W, row-major inputDimension × d (row j: feature j's projection). */
  projection: Float32Array;
  /** v_m, row-major models × d. */
  modelVectors: Float32Array;
  /** b_m. */
  modelBias: Float32Array;
}

/**
 * Scores s(p, m) = ⟨W·e(p), v_m⟩ + b_m for every model m into `scores`, with the projected prompt W·e(p)
 * left in `projected` (length d). `indices`/`values` `start … end` are the embedding's non-zeros.
 */
export function scoreModels(
  weights: MatrixFactorizationWeights,
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  end: number,
  projected: Float64Array,
  scores: Float64Array,
): void {
  const d = weights.dimension;
  sparseAffine(indices, values, start, end, weights.projection, d, weights.inputDimension, null, projected);
  for (let m = 0; m < weights.models; m++) {
    let sum = weights.modelBias[m]!;
    const base = m * d;
    for (let k = 0; k < d; k++) sum += projected[k]! * weights.modelVectors[base + k]!;
    scores[m] = sum;
  }
}
