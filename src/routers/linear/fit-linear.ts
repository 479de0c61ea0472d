import { CostModel } from "../../core/cost-model.js";
import { createRandom } from "../../core/random.js";
import { combineGramStatistics, foldGramStatistics, type GramStatistics } from "../../math/gram-statistics.js";
import { fitLogistic } from "../../math/logistic-regression.js";
import { fitRidge, solveRidge } from "../../math/ridge-regression.js";
import { fitFeatureScaling } from "../../features/prompt-feature-scaling.js";
import { promptFeaturesOf } from "../../features/prompt-features.js";
import { fitLogTokenScale } from "../../math/log-token-feature.js";
import { logit } from "../../math/scalar-functions.js";
import { columnMeans, scoreMatrixOf } from "../../math/score-matrix.js";
import { shuffledIndices } from "../../math/seeded-init.js";
import { sparseRowsOf, type SparseRows } from "../../math/sparse-rows.js";
import type { TrainingSet } from "../router-trainer.js";
import type { LinearFeatureSpec } from "./linear-features.js";
import { LinearFeatures } from "./linear-features.js";
import type { LinearParams } from "./linear-params.js";
import type { LinearLink } from "./linear-router.js";

/** Smallest cost (USD) taken before the logarithm, so free answers do not produce −∞. */
const COST_FLOOR_USD = 1e-10;

/** The fitted numbers of a linear router (before rounding into its state). */
export interface LinearFit {
  features: LinearFeatureSpec;
  links: LinearLink[];
  weights: Float64Array;
  penalties: number[];
  cost: { used: boolean; weights: Float64Array; smearing: Float64Array; heldOutMaeUsd: { learned: number; default: number } };
  logisticIterations: number;
}

/** The feature map fitted on the training prompts (sketch, token scaling, optional prompt features) and the design rows it gives. */
export function linearDesignOf(data: TrainingSet, params: LinearParams, seed: number): { spec: LinearFeatureSpec; features: LinearFeatures; design: SparseRows } {
  const rows = sparseRowsOf(data);
  const tokens = fitLogTokenScale(data.promptTokens);
  const texts = data.examples.map((example) => example.prompt);
  const spec: LinearFeatureSpec = { inputDimension: rows.dimension, sketchDimension: params.dimension, sketchSeed: seed | 0, tokenMean: tokens.mean, tokenScale: tokens.scale };
  if (params.promptFeatures) spec.promptFeatures = fitFeatureScaling(texts.map(promptFeaturesOf));
  const features = new LinearFeatures(spec);
  return { spec, features, design: features.rowsOf(rows, data.promptTokens, texts) };
}

/**
 * Fits CARROT's per-candidate linear quality and log-cost estimators in one read of the data: the Gram
 * statistics of the feature rows per cross-validation fold give ridge regression and its λ choice in
 * closed form; candidates with 0/1 scores then get a logistic fit warm-started from the ridge solution.
 */
export function fitLinear(data: TrainingSet, params: LinearParams, seed: number): LinearFit {
  const n = data.examples.length;
  const m = data.models.length;
  const { spec, features, design } = linearDesignOf(data, params, seed);
  const p = features.dimension;

  const scores = scoreMatrixOf(data.examples, data.models);
  // Targets: the mean score over candidates, each candidate's deviation from it, each candidate's log
  // cost. Routing turns on the deviations; giving them their own cross-validated λ is multi-task ridge
  // with a shared component (Evgeniou & Pontil, 2004): the shared part is learned from all candidates'
  // data and the deviations are shrunk toward it as much as held-out error says they should be.
  const t = 2 * m + 1;
  const targets = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let j = 0; j < m; j++) mean += scores[i * m + j]!;
    mean /= m;
    targets[i * t] = mean;
    for (let j = 0; j < m; j++) {
      targets[i * t + 1 + j] = scores[i * m + j]! - mean;
      const cost = data.examples[i]!.outcomes[data.models[j]!]?.costUsd;
      targets[i * t + 1 + m + j] = Math.log(Math.max(COST_FLOOR_USD, typeof cost === "number" && Number.isFinite(cost) ? cost : COST_FLOOR_USD));
    }
  }

  const folds = n >= 10 * params.folds ? params.folds : 1;
  const fold = new Int32Array(n);
  const order = shuffledIndices(n, createRandom(seed));
  for (let position = 0; position < n; position++) fold[order[position]!] = position % folds;
  const statistics = foldGramStatistics(design, targets, t, fold, folds);
  const total = statistics.slice(1).reduce((sum, part) => combineGramStatistics(sum, part, 1), statistics[0]!);
  const unpenalized = new Set([features.interceptIndex]);
  const ridge = fitRidge(statistics, { penalties: params.l2 === "auto" ? params.l2Grid : [params.l2], unpenalized: [features.interceptIndex] });

  const weights = new Float64Array(p * m);
  const costWeights = new Float64Array(p * m);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < m; j++) {
      weights[i * m + j] = ridge.weights[i * t]! + ridge.weights[i * t + 1 + j]!;
      costWeights[i * m + j] = ridge.weights[i * t + 1 + m + j]!;
    }
  }
  const penalties = Array.from(ridge.penalties.subarray(1, 1 + m));
  const costPenalties = Array.from(ridge.penalties.subarray(1 + m));

  const means = columnMeans(scores, m);
  const links: LinearLink[] = data.models.map((_, j) => {
    if (params.link !== "auto") return params.link;
    for (let i = 0; i < n; i++) {
      const score = scores[i * m + j]!;
      if (score !== 0 && score !== 1) return "identity";
    }
    return "logistic";
  });
  const logisticIterations = fitLogisticColumns({ design, scores, m, links, means, weights, penalties, total, unpenalized, features, params });

  const cost = fitCostPredictor({ data, design, targets, t, m, costWeights, costPenalties, statistics, total, fold, folds, unpenalized, params });
  return { features: spec, links, weights, penalties, cost, logisticIterations };
}

function fitLogisticColumns(options: {
  design: SparseRows;
  scores: Float64Array;
  m: number;
  links: readonly LinearLink[];
  means: Float64Array;
  weights: Float64Array;
  penalties: number[];
  total: GramStatistics;
  unpenalized: ReadonlySet<number>;
  features: LinearFeatures;
  params: LinearParams;
}): number {
  const { design, scores, m, links, means, weights, penalties, total, unpenalized, features, params } = options;
  const columns = links.flatMap((link, j) => (link === "logistic" ? [j] : []));
  if (columns.length === 0) return 0;
  const n = design.count;
  const p = features.dimension;
  const t = columns.length;
  const y = new Float64Array(n * t);
  for (let i = 0; i < n; i++) for (let c = 0; c < t; c++) y[i * t + c] = scores[i * m + columns[c]!]!;
  // Warm start: around the mean, σ(z) ≈ ȳ + v (z − logit ȳ) with v = ȳ(1 − ȳ), so the ridge fit β on the
  // probability scale becomes β / v on the logit scale; the penalty scales by v for the same reason.
  const initial = new Float64Array(p * t);
  const logisticPenalties = new Float64Array(t);
  columns.forEach((j, c) => {
    const mean = means[j]!;
    const v = Math.max(0.01, mean * (1 - mean));
    for (let i = 0; i < p; i++) initial[i * t + c] = weights[i * m + j]! / v;
    initial[features.interceptIndex * t + c]! += logit(mean) - mean / v;
    logisticPenalties[c] = penalties[j]! * v;
  });
  const fit = fitLogistic({ rows: design, y, targets: t, statistics: total, penalties: logisticPenalties, unpenalized, initial, maxIterations: params.maxIterations, tolerance: 1e-5 });
  columns.forEach((j, c) => {
    for (let i = 0; i < p; i++) weights[i * m + j] = fit.weights[i * t + c]!;
  });
  return fit.iterations;
}

function fitCostPredictor(options: {
  data: TrainingSet;
  design: SparseRows;
  targets: Float64Array;
  t: number;
  m: number;
  costWeights: Float64Array;
  costPenalties: number[];
  statistics: GramStatistics[];
  total: GramStatistics;
  fold: Int32Array;
  folds: number;
  unpenalized: ReadonlySet<number>;
  params: LinearParams;
}): LinearFit["cost"] {
  const { data, design, targets, t, m, costWeights, costPenalties, statistics, total, fold, folds, unpenalized, params } = options;
  const n = design.count;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const smearing = smearingOf(design, targets, t, m, costWeights, all);
  const heldOutMaeUsd = { learned: NaN, default: NaN };
  if (folds >= 2) {
    // Judge on fold 0 with both predictors fitted on the other folds.
    const training = combineGramStatistics(total, statistics[0]!, -1);
    const heldOutWeights = new Float64Array(costWeights.length);
    for (const penalty of new Set(costPenalties)) {
      const solved = solveRidge(training, penalty, unpenalized);
      if (!solved) continue;
      for (let j = 0; j < m; j++) {
        if (costPenalties[j] !== penalty) continue;
        for (let i = 0; i < design.dimension; i++) heldOutWeights[i * m + j] = solved[i * t + 1 + m + j]!;
      }
    }
    const trainRows = all.filter((r) => fold[r] !== 0);
    const heldOutRows = all.filter((r) => fold[r] === 0);
    const heldOutSmearing = smearingOf(design, targets, t, m, heldOutWeights, trainRows);
    const defaultModel = CostModel.fit(
      Array.from(trainRows, (r) => data.examples[r]!),
      Array.from(trainRows, (r) => data.promptTokens[r] ?? 0),
      data.models,
    );
    let learnedError = 0;
    let defaultError = 0;
    for (const r of heldOutRows) {
      const logCosts = rowScores(design, r, heldOutWeights, m);
      for (let j = 0; j < m; j++) {
        const truth = data.examples[r]!.outcomes[data.models[j]!]?.costUsd ?? 0;
        learnedError += Math.abs(Math.exp(Math.min(50, logCosts[j]!)) * heldOutSmearing[j]! - truth);
        defaultError += Math.abs(defaultModel.predict(data.models[j]!, data.promptTokens[r] ?? 0) - truth);
      }
    }
    const count = Math.max(1, heldOutRows.length * m);
    heldOutMaeUsd.learned = learnedError / count;
    heldOutMaeUsd.default = defaultError / count;
  }
  const used = params.costModel === "learned" || (params.costModel === "auto" && heldOutMaeUsd.learned < heldOutMaeUsd.default);
  return { used, weights: costWeights, smearing, heldOutMaeUsd };
}

/** Duan's (1983) smearing factor per model: mean of exp(residual) of the log-cost fit over `selection`. */
function smearingOf(design: SparseRows, targets: Float64Array, t: number, m: number, weights: Float64Array, selection: Int32Array): Float64Array {
  const sums = new Float64Array(m);
  for (const r of selection) {
    const predicted = rowScores(design, r, weights, m);
    for (let j = 0; j < m; j++) sums[j]! += Math.exp(Math.max(-50, Math.min(50, targets[r * t + 1 + m + j]! - predicted[j]!)));
  }
  for (let j = 0; j < m; j++) sums[j] = selection.length > 0 ? sums[j]! / selection.length : 1;
  return sums;
}

function rowScores(design: SparseRows, r: number, weights: Float64Array, m: number): Float64Array {
  const scores = new Float64Array(m);
  for (let a = design.offsets[r]!; a < design.offsets[r + 1]!; a++) {
    const base = design.indices[a]! * m;
    const value = design.values[a]!;
    for (let j = 0; j < m; j++) scores[j]! += value * weights[base + j]!;
  }
  return scores;
}
