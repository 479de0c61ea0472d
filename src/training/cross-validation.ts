import { shuffled, type Random } from "../core/random.js";
import type { RoutingExample } from "../data/routing-example.js";
import { candidateReport } from "./routing-score.js";
import type { RouterTrainer, TrainingSet, TrainOptions } from "../routers/router-trainer.js";
import { routeInputOf } from "./predict.js";
import { subsetTrainingSet } from "./training-set.js";

/**
 * Seeded K-fold partition of `0 … count−1`: `folds` disjoint held-out index lists of near-equal size
 * (ascending within each fold). With fewer rows than folds, some folds are empty.
 */
export function kFoldIndices(count: number, folds: number, random: Random): number[][] {
  const order = shuffled(Array.from({ length: count }, (_, i) => i), random);
  const result: number[][] = Array.from({ length: folds }, () => []);
  order.forEach((row, position) => result[position % folds]!.push(row));
  for (const fold of result) fold.sort((a, b) => a - b);
  return result;
}

/** The rows not in `heldOut`, ascending. */
export function complementOf(count: number, heldOut: readonly number[]): number[] {
  const excluded = new Uint8Array(count);
  for (const row of heldOut) excluded[row] = 1;
  const rows: number[] = [];
  for (let i = 0; i < count; i++) if (!excluded[i]) rows.push(i);
  return rows;
}

/** A function that trains on a subset and predicts quality for held-out rows of the same set. */
export type FoldPredictor = (fit: TrainingSet, heldOut: TrainingSet) => Float64Array[];

/** Predictor for a registered trainer: trains on the fit rows, predicts the held-out rows' quality, aligned with `data.models`. */
export function trainerFoldPredictor(trainer: RouterTrainer, options: TrainOptions): FoldPredictor {
  return (fit, heldOut) => {
    const router = trainer.train(fit, options);
    const position = heldOut.models.map((model) => router.models.indexOf(model));
    const rows: Float64Array[] = [];
    for (let i = 0; i < heldOut.examples.length; i++) {
      const predicted = router.predictQuality(routeInputOf(heldOut, i));
      rows.push(Float64Array.from(position, (p) => (p >= 0 ? predicted[p]! : 0)));
    }
    return rows;
  };
}

/**
 * Out-of-fold predictions: for each fold, `predict` is trained on the other folds and predicts the
 * held-out rows, so every row of `data` gets a prediction from a model that never saw its answers
 * (stacking's level-one data, Wolpert 1992). Returns one quality row per training row, in row order.
 */
export function outOfFoldPredictions(data: TrainingSet, folds: readonly (readonly number[])[], predict: FoldPredictor): Float64Array[] {
  const n = data.examples.length;
  const result: Float64Array[] = new Array<Float64Array>(n);
  for (const heldOut of folds) {
    if (heldOut.length === 0) continue;
    const predictions = predict(subsetTrainingSet(data, complementOf(n, heldOut)), subsetTrainingSet(data, heldOut));
    heldOut.forEach((row, i) => (result[row] = predictions[i]!));
  }
  for (let i = 0; i < n; i++) if (!result[i]) result[i] = new Float64Array(data.models.length);
  return result;
}

/** The engine's predicted costs of every row (true costs when the set carries no predictions). */
export function costRowsOf(data: TrainingSet): Float64Array[] {
  return data.examples.map((example, row) => data.predictedCostUsd?.[row] ?? Float64Array.from(data.models, (model) => example.outcomes[model]?.costUsd ?? 0));
}

/**
 * The number cross-validation maximises for a set of held-out predictions: RouteLLM's APGR (Ong et al.
 * 2024) when the set has exactly two models (it is what two-model routers are judged on), RouterBench's
 * routing AIQ (Hu et al. 2024) otherwise.
 */
export function selectionScore(examples: readonly RoutingExample[], models: readonly string[], predictions: { quality: Float64Array[]; costUsd: Float64Array[] }): number {
  const router = candidateReport(examples, models, predictions);
  return models.length === 2 && typeof router.apgr === "number" ? router.apgr : router.aiq;
}
