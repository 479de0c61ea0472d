import { SwitchyardError } from "../../core/errors.js";
import type { SparseVector } from "../../embedders/sparse-vector.js";
import { roundForState } from "../../math/state-arrays.js";
import type { ClusterRouter } from "./cluster-router.js";
import { clusterRouterOf, clusterStateSchema } from "./cluster-trainer.js";

/** One anchor prompt: its embedding (from the router's embedder) and the new model's score on it. */
export interface AnchorScore {
  embedding: Float32Array;
  sparseEmbedding?: SparseVector;
  score: number;
}

/** What {@link addModel} needs. */
export interface AddModelOptions {
  /** Id of the new model (must not be one the router already has). */
  model: string;
  /** The new model's scores on a small set of prompts (UniRoute uses a validation set; 50–200 prompts go a long way). */
  anchors: readonly AnchorScore[];
  /** Pseudo-count α toward the prior; defaults to the router's training shrinkage. */
  shrinkage?: number;
  /**
   * What each cluster's quality is shrunk toward. "cluster-difficulty" (default): the existing models'
   * mean quality in that cluster plus the new model's mean offset from it on the anchors — hard clusters
   * stay hard for the new model too. "anchor-mean": the model's plain anchor mean in every cluster.
   */
  prior?: "cluster-difficulty" | "anchor-mean";
}

/**
 * Adds an unseen model to a trained cluster router WITHOUT retraining (UniRoute, Jitkrittum et al.,
 * 2025): the model is represented by its per-cluster quality, estimated from its scores on the anchor
 * prompts — each anchor counts toward its cluster(s) with the router's own assignment weights — and
 * shrunk toward a prior: q_c = (Σ w_c·score + α·prior_c) / (Σ w_c + α). The default prior is the
 * cluster's difficulty for the existing models plus the new model's mean offset on the anchors, so a
 * cluster few anchors fell in keeps its hardness instead of looking average (a flat prior makes the new
 * model look best exactly where every other model is weak). Returns a new router; the given one is unchanged.
 *
 * @example
 * const wider = addModel(router, { model: "new-llm", anchors: prompts.map((p, i) => ({ embedding: p, score: scores[i] })) });
 */
export function addModel(router: ClusterRouter, options: AddModelOptions): ClusterRouter {
  const state = clusterStateSchema.parse(router.toState());
  if (state.models.includes(options.model)) {
    throw new SwitchyardError("invalid_config", `cluster router: model ${JSON.stringify(options.model)} is already routed`, { param: "model" });
  }
  if (options.anchors.length === 0) throw new SwitchyardError("invalid_config", "cluster router: adding a model needs at least one anchor score", { param: "anchors" });
  const shrinkage = options.shrinkage ?? state.shrinkage;
  if (!(shrinkage >= 0) || !Number.isFinite(shrinkage)) throw new SwitchyardError("invalid_config", `cluster router: shrinkage must be a finite number ≥ 0, got ${shrinkage}`, { param: "shrinkage" });
  if (options.prior !== undefined && options.prior !== "cluster-difficulty" && options.prior !== "anchor-mean") {
    throw new SwitchyardError("invalid_config", `cluster router: prior must be "cluster-difficulty" or "anchor-mean", got ${JSON.stringify(options.prior)}`, { param: "prior" });
  }
  const k = state.k;
  const m = state.models.length;
  const oldQuality = state.quality as number[];
  // Cluster difficulty: the existing models' mean quality per cluster.
  const difficulty = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < m; j++) difficulty[c]! += oldQuality[c * m + j]! / m;
  }
  const sums = new Float64Array(k);
  const mass = new Float64Array(k);
  let total = 0;
  let offset = 0;
  options.anchors.forEach((anchor, i) => {
    if (typeof anchor.score !== "number" || !Number.isFinite(anchor.score)) {
      throw new SwitchyardError("invalid_config", `cluster router: anchors[${i}].score must be a finite number`, { param: `anchors[${i}].score` });
    }
    if (anchor.embedding.length !== state.dimension) {
      throw new SwitchyardError("invalid_config", `cluster router: anchors[${i}].embedding has ${anchor.embedding.length} dimensions, the router's embedder gives ${state.dimension}`, { param: `anchors[${i}].embedding` });
    }
    const score = Math.min(1, Math.max(0, anchor.score));
    total += score;
    const weights = router.clusterWeightsOf(anchor);
    for (let c = 0; c < k; c++) {
      if (weights[c] === 0) continue;
      sums[c]! += weights[c]! * score;
      mass[c]! += weights[c]!;
      offset += weights[c]! * (score - difficulty[c]!);
    }
  });
  const count = options.anchors.length;
  const mean = total / count;
  offset /= count;
  const prior = (c: number): number => (options.prior === "anchor-mean" ? mean : Math.min(1, Math.max(0, difficulty[c]! + offset)));
  // The existing models' numbers are copied from the state as they are, so their predictions do not move.
  const quality: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < m; j++) quality.push(oldQuality[c * m + j]!);
    const denominator = mass[c]! + shrinkage;
    quality.push(roundForState(denominator > 0 ? (sums[c]! + shrinkage * prior(c)) / denominator : prior(c)));
  }
  return clusterRouterOf({
    ...state,
    models: [...state.models, options.model],
    quality,
    modelMeans: [...state.modelMeans, roundForState(mean)],
    addedModels: [...state.addedModels, { model: options.model, anchors: count, shrinkage, prior: options.prior ?? "cluster-difficulty" }],
  });
}
