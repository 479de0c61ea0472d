import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom } from "../../core/random.js";
import type { SparseVector } from "../../embedders/sparse-vector.js";
import { encodeArray, encodedArraySchema, float32FromBase64, float32ToBase64, uint32FromBase64, uint32ToBase64 } from "../../util/base64-arrays.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { KnnRouter, type KnnParams } from "./knn-router.js";
import { DEFAULT_COST_NEIGHBOURS, NeighbourCostPredictor } from "./neighbour-cost.js";
import { fitIvfLayout, IVF_MIN_ROWS, IvfSimilarityIndex, type IvfLayout } from "./ivf-similarity-index.js";
import { DenseSimilarityIndex, SparseSimilarityIndex } from "./similarity-index.js";
import { tuneKnn } from "./tune-knn.js";
import { routingScore } from "../../training/routing-score.js";
import { selectionScore } from "../../training/cross-validation.js";

/** The engine's predicted costs of row `row`, or its true costs when the set carries no predictions. */
export function predictedCostsOf(data: TrainingSet, row: number): Float64Array {
  return data.predictedCostUsd?.[row] ?? Float64Array.from(data.models, (model) => data.examples[row]!.outcomes[model]?.costUsd ?? 0);
}

const paramsSchema = z
  .object({
    k: z.number().int().positive().max(10_000).optional(),
    power: z.number().min(0).max(16).optional(),
    minSimilarity: z.number().min(-1).max(1).optional(),
    priorWeight: z.number().min(0).optional(),
    /** Choose k, power and priorWeight by leave-one-out on the training split (default: on unless all are given). */
    tune: z.boolean().optional(),
    /**
     * What leave-one-out tuning maximises: `aiq` (default, RouterBench's routing AIQ) or `selection`
     * (the cross-validation criterion: RouteLLM's APGR on two-model sets, AIQ otherwise).
     */
    criterion: z.enum(["aiq", "selection"]).optional(),
    /** Cost prediction: `engine` (default, the artifact's per-model line) or `neighbours` (CARROT-style, see NeighbourCostPredictor). */
    cost: z.enum(["engine", "neighbours"]).optional(),
    /** Neighbours averaged for `cost: "neighbours"` (default 20). */
    costK: z.number().int().positive().max(10_000).optional(),
    /**
     * Neighbour search over dense vectors: `exact` (scan every row), `ivf` (approximate: an inverted file
     * of ~√n lists, `ivfProbe` nearest scanned; see IvfSimilarityIndex) or `auto` (default: `ivf` from
     * 20,000 training rows). Sparse vectors (hashed TF-IDF) always use the exact inverted index.
     */
    index: z.enum(["auto", "exact", "ivf"]).optional(),
    ivfLists: z.number().int().positive().max(65_536).optional(),
    ivfProbe: z.number().int().positive().max(65_536).optional(),
  })
  .strict();

/** Defaults used when not tuning. */
export const defaultKnnParams: KnnParams = { k: 20, power: 1, minSimilarity: 0, priorWeight: 1 };

const stateSchema = z.object({
  kind: z.literal("knn"),
  models: z.array(z.string()),
  params: z.object({ k: z.number(), power: z.number(), minSimilarity: z.number(), priorWeight: z.number() }),
  count: z.number().int().nonnegative(),
  dimension: z.number().int().positive(),
  scores: encodedArraySchema,
  sparse: z.object({ offsets: encodedArraySchema, indices: encodedArraySchema, values: encodedArraySchema }).optional(),
  dense: encodedArraySchema.optional(),
  tuning: z.unknown().optional(),
  cost: z.unknown().optional(),
  observationWeights: encodedArraySchema.optional(),
  // Either the lists as stored (block, rowIds, listStart: loaded with one copy) or, in artifacts written
  // before they were stored, each row's list (assignment) with the rows in `dense`.
  ivf: z
    .object({
      lists: z.number().int().positive(),
      probe: z.number().int().positive(),
      centroids: encodedArraySchema,
      assignment: encodedArraySchema.optional(),
      block: encodedArraySchema.optional(),
      rowIds: encodedArraySchema.optional(),
      listStart: encodedArraySchema.optional(),
    })
    .optional(),
});

/** The IVF layout to build for a training set, or undefined for an exact index (see the `index` parameter). */
function ivfLayoutFor(data: TrainingSet, given: z.infer<typeof paramsSchema>, seed: number | undefined): IvfLayout | undefined {
  const choice = given.index ?? "auto";
  if (data.sparseEmbeddings || choice === "exact" || (choice === "auto" && data.examples.length < IVF_MIN_ROWS) || data.examples.length === 0) return undefined;
  const dimension = data.embeddings[0]?.length ?? 1;
  return fitIvfLayout(data.embeddings, dimension, { lists: given.ivfLists, probe: given.ivfProbe, random: createRandom((seed ?? 42) + 19) });
}

function buildRouter(models: readonly string[], params: KnnParams, scores: Float32Array, vectors: { sparse?: readonly SparseVector[]; dense?: readonly Float32Array[]; ivf?: IvfLayout; ivfIndex?: IvfSimilarityIndex }, dimension: number, tuning?: unknown, costPredictor?: NeighbourCostPredictor, observationWeights?: Float32Array): KnnRouter {
  const index = vectors.sparse ? new SparseSimilarityIndex(vectors.sparse, dimension) : vectors.ivfIndex ? vectors.ivfIndex : vectors.ivf ? new IvfSimilarityIndex(vectors.dense ?? [], dimension, vectors.ivf) : new DenseSimilarityIndex(vectors.dense ?? [], dimension);
  // What toState needs, and no more: with an IVF index the dense rows are rebuilt from its lists, so the
  // router does not keep a second copy of every vector (40 MB for 100k × 100-d).
  const { sparse } = vectors;
  const ivf = index instanceof IvfSimilarityIndex ? index.layout : undefined;
  const dense = ivf ? undefined : vectors.dense;
  const toState = (): RouterState => {
    const state: RouterState = { kind: "knn", models: [...models], params, count: index.size, dimension, scores: encodeArray(scores), tuning };
    if (index instanceof IvfSimilarityIndex) {
      // The lists as stored, not the rows in training order: a load copies them once instead of regrouping.
      const stored = index.storedLists();
      state.ivf = { lists: index.layout.lists, probe: index.layout.probe, centroids: float32ToBase64(index.layout.centroids), block: encodeArray(stored.block), rowIds: encodeArray(stored.rowIds), listStart: uint32ToBase64(stored.listStart) };
    }
    if (costPredictor) state.cost = costPredictor.toState();
    if (observationWeights) state.observationWeights = float32ToBase64(observationWeights);
    if (sparse) {
      const offsets = new Uint32Array(sparse.length + 1);
      sparse.forEach((vector, i) => (offsets[i + 1] = offsets[i]! + vector.indices.length));
      const indices = new Uint32Array(offsets[sparse.length]!);
      const values = new Float32Array(indices.length);
      sparse.forEach((vector, i) => {
        indices.set(vector.indices, offsets[i]!);
        values.set(vector.values, offsets[i]!);
      });
      state.sparse = { offsets: uint32ToBase64(offsets), indices: uint32ToBase64(indices), values: float32ToBase64(values) };
    } else if (!(index instanceof IvfSimilarityIndex)) {
      const rows = new Float32Array((dense?.length ?? 0) * dimension);
      dense?.forEach((vector, i) => rows.set(vector.subarray(0, dimension), i * dimension));
      state.dense = encodeArray(rows);
    }
    return state;
  };
  return new KnnRouter({ models, params, index, scores, toState, costPredictor, observationWeights });
}

function costPredictorOf(state: { cost?: unknown; models: string[]; count: number }): NeighbourCostPredictor | undefined {
  return state.cost === undefined ? undefined : NeighbourCostPredictor.fromState(state.cost, state.models, state.count);
}

/** Trains the {@link KnnRouter}; with `tune` (the default) picks its hyper-parameters by leave-one-out. */
export const knnRouterTrainer: RouterTrainer = {
  kind: "knn",
  description: "cosine k-nearest neighbours over training prompts, similarity-weighted (RouterBench; 'When Simple kNN Beats Complex Learned Routers')",
  servable: true,
  train(data: TrainingSet, options) {
    const parsed = paramsSchema.safeParse(options.params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_config", `knn parameter ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`, { param: issue?.path.join(".") });
    }
    const given = parsed.data;
    const m = data.models.length;
    const scores = new Float32Array(data.examples.length * m);
    data.examples.forEach((example, i) => data.models.forEach((model, j) => (scores[i * m + j] = example.outcomes[model]?.score ?? 0)));
    const dimension = data.embeddings[0]?.length ?? 1;
    const vectors = data.sparseEmbeddings ? { sparse: data.sparseEmbeddings } : { dense: data.embeddings, ivf: ivfLayoutFor(data, given, options.seed) };
    const fixed: KnnParams = {
      k: given.k ?? defaultKnnParams.k,
      power: given.power ?? defaultKnnParams.power,
      minSimilarity: given.minSimilarity ?? defaultKnnParams.minSimilarity,
      priorWeight: given.priorWeight ?? defaultKnnParams.priorWeight,
    };
    const costPredictor = given.cost === "neighbours" ? NeighbourCostPredictor.fit(data.examples, data.promptTokens, data.models, given.costK ?? DEFAULT_COST_NEIGHBOURS) : undefined;
    const router = buildRouter(data.models, fixed, scores, vectors, dimension, undefined, costPredictor);
    const shouldTune = given.tune ?? !(given.k !== undefined && given.power !== undefined && given.priorWeight !== undefined);
    if (!shouldTune || data.examples.length < 20) return router;
    const criterion = given.criterion === "selection" ? selectionScore : routingScore;
    // Tuning scores routing with the engine's predicted costs, also when the router predicts its own.
    const tuning = tuneKnn(router, data, {
      random: createRandom(options.seed),
      fixed: given,
      costUsd: (row) => predictedCostsOf(data, row),
      score: (rows, quality, costUsd) => criterion(rows.map((i) => data.examples[i]!), data.models, { quality, costUsd }),
    });
    const summary = given.criterion === "selection" ? { ...tuning.summary, criterion: "leave-one-out selection score (APGR on two-model sets, else routing AIQ) on the training split" } : tuning.summary;
    return buildRouter(data.models, tuning.best, scores, vectors, dimension, summary, costPredictor);
  },
  /**
   * From bandit feedback: each prompt keeps only its served model's score, weighted by the inverse
   * propensity; a model's prediction is the similarity- and IPW-weighted mean of the scores its
   * neighbours observed for it (see `KnnRouter.predictFromObservedNeighbours`). Leave-one-out tuning
   * needs every model's score on every prompt, so it is not run: `k` defaults to 20 per model (about 20
   * observations of each model in a neighbourhood under uniform logging), the others to their defaults.
   */
  trainFromFeedback(data, feedback, options) {
    const parsed = paramsSchema.safeParse(options.params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_config", `knn parameter ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`, { param: issue?.path.join(".") });
    }
    const given = parsed.data;
    if (given.tune === true) throw new SwitchyardError("invalid_config", "knn cannot tune its parameters on a decision log (leave-one-out needs every model's score on every prompt); give k, power and priorWeight or leave them at their defaults", { param: "tune" });
    if (given.cost === "neighbours") throw new SwitchyardError("invalid_config", "knn's cost: \"neighbours\" needs every model's cost on every prompt; a decision log has one model per prompt (the engine's cost model is used)", { param: "cost" });
    const n = data.examples.length;
    const m = data.models.length;
    const scores = new Float32Array(n * m);
    const observationWeights = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      scores[i * m + feedback.served[i]!] = feedback.reward[i]!;
      observationWeights[i * m + feedback.served[i]!] = feedback.inversePropensity[i]!;
    }
    const params: KnnParams = {
      k: Math.min(Math.max(1, n), given.k ?? defaultKnnParams.k * m),
      power: given.power ?? defaultKnnParams.power,
      minSimilarity: given.minSimilarity ?? defaultKnnParams.minSimilarity,
      priorWeight: given.priorWeight ?? defaultKnnParams.priorWeight,
    };
    const dimension = data.embeddings[0]?.length ?? 1;
    const vectors = data.sparseEmbeddings ? { sparse: data.sparseEmbeddings } : { dense: data.embeddings, ivf: ivfLayoutFor(data, given, options.seed) };
    return buildRouter(data.models, params, scores, vectors, dimension, { feedback: "bandit: inverse-propensity-weighted neighbour means", rows: n }, undefined, observationWeights);
  },
  fromState(state) {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", `knn router state is invalid at ${parsed.error.issues[0]?.path.join(".") ?? "?"}`);
    const s = parsed.data;
    const scores = float32FromBase64(s.scores);
    if (scores.length !== s.count * s.models.length) throw new SwitchyardError("invalid_artifact", "knn router state: score matrix does not match the prompt count");
    const observationWeights = s.observationWeights === undefined ? undefined : float32FromBase64(s.observationWeights);
    if (observationWeights && observationWeights.length !== scores.length) throw new SwitchyardError("invalid_artifact", "knn router state: observation weights do not match the score matrix");
    if (s.sparse) {
      const offsets = uint32FromBase64(s.sparse.offsets);
      const indices = uint32FromBase64(s.sparse.indices);
      const values = float32FromBase64(s.sparse.values);
      if (offsets.length !== s.count + 1 || indices.length !== values.length || offsets[s.count] !== indices.length) {
        throw new SwitchyardError("invalid_artifact", "knn router state: sparse vectors are inconsistent");
      }
      const sparse: SparseVector[] = [];
      for (let i = 0; i < s.count; i++) sparse.push({ indices: indices.subarray(offsets[i]!, offsets[i + 1]!), values: values.subarray(offsets[i]!, offsets[i + 1]!) });
      return buildRouter(s.models, s.params, scores, { sparse }, s.dimension, s.tuning, costPredictorOf(s), observationWeights);
    }
    if (s.ivf?.block !== undefined) {
      if (s.ivf.rowIds === undefined || s.ivf.listStart === undefined) throw new SwitchyardError("invalid_artifact", "knn router state: ivf.block needs ivf.rowIds and ivf.listStart");
      const centroids = float32FromBase64(s.ivf.centroids);
      if (centroids.length !== s.ivf.lists * s.dimension) throw new SwitchyardError("invalid_artifact", "knn router state: ivf.centroids do not match ivf.lists × dimension");
      const rowIds = uint32FromBase64(s.ivf.rowIds, { transient: true });
      const ivfIndex = IvfSimilarityIndex.fromStoredLists(s.count, s.dimension, {
        lists: s.ivf.lists,
        probe: Math.min(s.ivf.probe, s.ivf.lists),
        centroids,
        stored: { block: float32FromBase64(s.ivf.block, { transient: true }), rowIds: new Int32Array(rowIds.buffer, rowIds.byteOffset, rowIds.length), listStart: uint32FromBase64(s.ivf.listStart) },
      });
      return buildRouter(s.models, s.params, scores, { ivfIndex }, s.dimension, s.tuning, costPredictorOf(s), observationWeights);
    }
    if (!s.dense) throw new SwitchyardError("invalid_artifact", "knn router state has no training vectors");
    const dense = float32FromBase64(s.dense, { transient: s.ivf !== undefined });
    if (dense.length !== s.count * s.dimension) throw new SwitchyardError("invalid_artifact", "knn router state: dense vectors do not match the prompt count");
    const vectors: Float32Array[] = [];
    for (let i = 0; i < s.count; i++) vectors.push(dense.subarray(i * s.dimension, (i + 1) * s.dimension));
    let ivf: IvfLayout | undefined;
    if (s.ivf) {
      if (s.ivf.assignment === undefined) throw new SwitchyardError("invalid_artifact", "knn router state: ivf has neither stored lists (block) nor an assignment");
      ivf = { lists: s.ivf.lists, probe: Math.min(s.ivf.probe, s.ivf.lists), centroids: float32FromBase64(s.ivf.centroids), assignment: uint32FromBase64(s.ivf.assignment) };
      if (ivf.centroids.length !== ivf.lists * s.dimension) throw new SwitchyardError("invalid_artifact", "knn router state: ivf.centroids do not match ivf.lists × dimension");
      if (ivf.assignment.length !== s.count || ivf.assignment.some((list) => list >= s.ivf!.lists)) throw new SwitchyardError("invalid_artifact", "knn router state: ivf.assignment does not give every prompt a list");
    }
    return buildRouter(s.models, s.params, scores, { dense: vectors, ivf }, s.dimension, s.tuning, costPredictorOf(s), observationWeights);
  },
};
