import { createRandom } from "../../core/random.js";
import { foldGramStatistics } from "../../math/gram-statistics.js";
import { fitRidge } from "../../math/ridge-regression.js";
import { shuffledIndices } from "../../math/seeded-init.js";
import type { SparseRows } from "../../math/sparse-rows.js";
import type { BanditFeedback, TrainingSet } from "../router-trainer.js";
import { linearDesignOf, type LinearFit } from "./fit-linear.js";
import type { LinearParams } from "./linear-params.js";

/** The rows of `rows` listed in `selection`, each scaled by `scales[k]` (√weight for weighted least squares). */
function scaledSubset(rows: SparseRows, selection: readonly number[], scales: Float64Array): SparseRows {
  const offsets = new Int32Array(selection.length + 1);
  selection.forEach((r, k) => (offsets[k + 1] = offsets[k]! + rows.offsets[r + 1]! - rows.offsets[r]!));
  const indices = new Int32Array(offsets[selection.length]!);
  const values = new Float32Array(indices.length);
  selection.forEach((r, k) => {
    for (let a = rows.offsets[r]!, b = offsets[k]!; a < rows.offsets[r + 1]!; a++, b++) {
      indices[b] = rows.indices[a]!;
      values[b] = rows.values[a]! * scales[k]!;
    }
  });
  return { count: selection.length, dimension: rows.dimension, offsets, indices, values };
}

/**
 * CARROT's linear quality estimators fitted from bandit feedback: for each model, ridge regression of the
 * observed reward on the rows where that model was served, each row weighted by its inverse propensity
 * (importance-weighted least squares: in expectation the weighted loss over the served rows equals the
 * loss over all prompts, so the fit targets the model's quality on all traffic, not just on the prompts
 * the logger happened to send it). λ per model by k-fold cross-validation on the weighted rows, as in
 * `fitLinear`. Links are identity (the logistic warm start needs every model's scores); the learned cost
 * predictor is not fitted (one cost per prompt is too little), so the engine's cost model prices.
 */
export function fitLinearFromFeedback(data: TrainingSet, feedback: BanditFeedback, params: LinearParams, seed: number): LinearFit {
  const n = data.examples.length;
  const m = data.models.length;
  const { spec, features, design } = linearDesignOf(data, params, seed);
  const p = features.dimension;
  const weights = new Float64Array(p * m);
  const penalties: number[] = [];
  const random = createRandom(seed);
  for (let j = 0; j < m; j++) {
    const selection: number[] = [];
    for (let i = 0; i < n; i++) if (feedback.served[i] === j) selection.push(i);
    if (selection.length === 0) {
      penalties.push(Number.NaN);
      continue;
    }
    // Weights normalised to mean 1 over the model's rows, so λ has the same scale as in `fitLinear`.
    let total = 0;
    for (const i of selection) total += feedback.inversePropensity[i]!;
    const scales = Float64Array.from(selection, (i) => Math.sqrt((feedback.inversePropensity[i]! * selection.length) / total));
    const subset = scaledSubset(design, selection, scales);
    const y = Float64Array.from(selection, (i, k) => feedback.reward[i]! * scales[k]!);
    const folds = selection.length >= 10 * params.folds ? params.folds : 1;
    const fold = new Int32Array(selection.length);
    const order = shuffledIndices(selection.length, random);
    for (let position = 0; position < selection.length; position++) fold[order[position]!] = position % folds;
    const ridge = fitRidge(foldGramStatistics(subset, y, 1, fold, folds), { penalties: params.l2 === "auto" ? params.l2Grid : [params.l2], unpenalized: [features.interceptIndex] });
    for (let i = 0; i < p; i++) weights[i * m + j] = ridge.weights[i]!;
    penalties.push(ridge.penalties[0]!);
  }
  return {
    features: spec,
    links: data.models.map(() => "identity"),
    weights,
    penalties,
    cost: { used: false, weights: new Float64Array(p * m), smearing: new Float64Array(m).fill(1), heldOutMaeUsd: { learned: Number.NaN, default: Number.NaN } },
    logisticIterations: 0,
  };
}
