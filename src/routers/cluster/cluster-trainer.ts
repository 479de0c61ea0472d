import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom } from "../../core/random.js";
import { centroidSquaredNorms, kMeans } from "../../math/k-means.js";
import { scoreMatrixOf } from "../../math/score-matrix.js";
import { shuffledIndices } from "../../math/seeded-init.js";
import { selectRows, sparseRowsOf, type SparseRows } from "../../math/sparse-rows.js";
import { readStateArray, roundForState, toStateArray } from "../../math/state-arrays.js";
import { assertTrainingSet } from "../assert-training-set.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { clusterWeights, type ClusterGeometry } from "./cluster-assignment.js";
import { clusterParamsSchema } from "./cluster-params.js";
import { ClusterRouter } from "./cluster-router.js";

const STATE_VERSION = 1;

export const clusterStateSchema = z.object({
  kind: z.literal("cluster"),
  version: z.literal(STATE_VERSION),
  models: z.array(z.string()).min(1),
  dimension: z.number().int().positive(),
  k: z.number().int().positive(),
  /** Pseudo-count α of the shrinkage toward each model's mean (the default for added models too). */
  shrinkage: z.number().min(0),
  assignment: z.object({ assignment: z.enum(["soft", "hard"]), temperature: z.number().positive(), neighbours: z.number().int().positive() }),
  /** Feature-major centroids, dimension × k. */
  centroids: z.array(z.unknown()),
  /** Per-cluster quality, k × models. */
  quality: z.array(z.unknown()),
  /** Each model's overall mean quality (training mean, or anchor mean for an added model). */
  modelMeans: z.array(z.number()),
  /** Models added after training, with the number of anchors each was estimated from. */
  addedModels: z
    .array(z.object({ model: z.string(), anchors: z.number().int().nonnegative(), shrinkage: z.number(), prior: z.enum(["cluster-difficulty", "anchor-mean"]) }))
    .default([]),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** JSON-safe state of a trained {@link ClusterRouter}. */
export type ClusterRouterState = z.output<typeof clusterStateSchema>;

/** Rebuilds a router from already validated state. */
export function clusterRouterOf(state: ClusterRouterState): ClusterRouter {
  const m = state.models.length;
  if (state.modelMeans.length !== m) throw new SwitchyardError("invalid_artifact", `cluster router state: ${state.modelMeans.length} model means for ${m} models`);
  const centroids = readStateArray(state.centroids, state.dimension * state.k, "cluster router state: centroids");
  const geometry: ClusterGeometry = { k: state.k, dimension: state.dimension, centroids, centroidNorms: centroidSquaredNorms(centroids, state.k, state.dimension), assignment: state.assignment };
  return new ClusterRouter({ models: state.models, geometry, quality: readStateArray(state.quality, state.k * m, "cluster router state: quality"), toState: () => structuredClone(state) });
}

/**
 * Each model's per-cluster mean score over `data` (rows `rows`) with Bayesian shrinkage toward its
 * overall mean (see {@link clusterRouterTrainer}), the overall means and each cluster's soft mass.
 */
function clusterQuality(data: TrainingSet, rows: SparseRows, geometry: ClusterGeometry, shrinkage: number): { quality: Float64Array; means: Float64Array; mass: Float64Array } {
  const n = rows.count;
  const m = data.models.length;
  const { k } = geometry;
  const scores = scoreMatrixOf(data.examples, data.models);
  const sums = new Float64Array(k * m);
  const mass = new Float64Array(k);
  const means = new Float64Array(m);
  const weights = new Float64Array(k);
  const distances = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const start = rows.offsets[r]!;
    const end = rows.offsets[r + 1]!;
    clusterWeights(geometry, { indices: rows.indices.subarray(start, end), values: rows.values.subarray(start, end) }, weights, distances);
    for (let j = 0; j < m; j++) means[j]! += scores[r * m + j]! / n;
    for (let c = 0; c < k; c++) {
      const w = weights[c]!;
      if (w === 0) continue;
      mass[c]! += w;
      for (let j = 0; j < m; j++) sums[c * m + j]! += w * scores[r * m + j]!;
    }
  }
  const quality = new Float64Array(k * m);
  for (let c = 0; c < k; c++) {
    const denominator = mass[c]! + shrinkage;
    for (let j = 0; j < m; j++) quality[c * m + j] = denominator > 0 ? (sums[c * m + j]! + shrinkage * means[j]!) / denominator : means[j]!;
  }
  return { quality, means, mass };
}

/**
 * A cluster router with `reference`'s centroids and assignment whose per-cluster quality (and model
 * means) are re-estimated from `data` alone — no k-means. The ensemble's fold models use it when it
 * cross-validates on a sample: k-means runs once on the whole sample instead of once per fold. The
 * held-out fold's prompts then shaped the centroids, but k-means is unsupervised: only their unlabeled
 * geometry reaches the out-of-fold predictions, never their outcomes, which come from `data`'s rows only.
 */
export function refitClusterRouter(reference: ClusterRouter, data: TrainingSet): ClusterRouter {
  assertTrainingSet("cluster", data);
  const referenceState = reference.toState() as ClusterRouterState;
  const rows = sparseRowsOf(data);
  if (rows.dimension !== reference.geometry.dimension) throw new SwitchyardError("invalid_config", `cluster refit: embeddings have ${rows.dimension} dimensions, the centroids ${reference.geometry.dimension}`);
  if (data.models.join("\u0000") !== reference.models.join("\u0000")) throw new SwitchyardError("invalid_config", "cluster refit: the training set's models differ from the reference router's");
  const { quality, means, mass } = clusterQuality(data, rows, reference.geometry, referenceState.shrinkage);
  const state: ClusterRouterState = {
    ...referenceState,
    quality: toStateArray(quality),
    modelMeans: Array.from(means, roundForState),
    addedModels: [],
    training: { ...referenceState.training, examples: rows.count, refittedQuality: true, clusterSizes: Array.from(mass, roundForState) },
  };
  return clusterRouterOf(state);
}

/**
 * Trains the {@link ClusterRouter}: seeded k-means++ on (a sample of) the training embeddings, then
 * each model's per-cluster mean score with Bayesian shrinkage — (Σ w·score + α·mean) / (Σ w + α), a
 * Beta/Gaussian prior worth α prompts centred on the model's overall mean. Params (all optional):
 * `clusters` (40), `shrinkage` α (10), `assignment` ("soft"), `temperature` (0.02), `neighbours` (3),
 * `maxIterations` (50), `fitSampleSize` (10,000).
 */
export const clusterRouterTrainer: RouterTrainer = {
  kind: "cluster",
  description: "k-means clusters of prompts, per-cluster model quality; new models added from anchor scores (UniRoute, Jitkrittum et al. 2025)",
  servable: true,
  train(data, options) {
    const params = parseRouterParams("cluster", clusterParamsSchema, options.params);
    assertTrainingSet("cluster", data);
    const random = createRandom(options.seed);
    const rows = sparseRowsOf(data);
    const n = rows.count;
    const sample = n > params.fitSampleSize ? shuffledIndices(n, random).slice(0, params.fitSampleSize).sort() : Int32Array.from({ length: n }, (_, i) => i);
    const fitted = kMeans(sample.length === n ? rows : selectRows(rows, sample), { k: params.clusters, random, maxIterations: params.maxIterations });
    const k = fitted.k;
    const centroidState = toStateArray(fitted.centroids);
    const centroids = readStateArray(centroidState, rows.dimension * k, "centroids");
    const assignment = { assignment: params.assignment, temperature: params.temperature, neighbours: params.neighbours };
    const geometry: ClusterGeometry = { k, dimension: rows.dimension, centroids, centroidNorms: centroidSquaredNorms(centroids, k, rows.dimension), assignment };

    const { quality, means, mass } = clusterQuality(data, rows, geometry, params.shrinkage);
    const state: ClusterRouterState = {
      kind: "cluster",
      version: STATE_VERSION,
      models: [...data.models],
      dimension: rows.dimension,
      k,
      shrinkage: params.shrinkage,
      assignment,
      centroids: centroidState,
      quality: toStateArray(quality),
      modelMeans: Array.from(means, roundForState),
      addedModels: [],
      training: {
        examples: n,
        fittedOn: sample.length,
        params,
        kMeansIterations: fitted.iterations,
        clusterSizes: Array.from(mass, roundForState),
      },
    };
    return clusterRouterOf(state);
  },
  fromState(state: RouterState) {
    const parsed = clusterStateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_artifact", `cluster router state is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
    }
    return clusterRouterOf(parsed.data);
  },
};
