import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom, shuffled } from "../../core/random.js";
import { encodedArraySchema, uint32FromBase64, uint32ToBase64 } from "../../util/base64-arrays.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { routingScore } from "../../training/routing-score.js";
import { KnnRouter, type Neighbours } from "./knn-router.js";
import { knnRouterTrainer, predictedCostsOf } from "./knn-trainer.js";

/** Hyper-parameters of the task-prior kNN router. */
export interface TaskKnnParams {
  /** Neighbours averaged within the predicted task. */
  k: number;
  /** Neighbour weight = similarity^power. */
  power: number;
  /** Pseudo-count pulling the prediction toward the predicted task's mean scores. */
  priorWeight: number;
  /** Neighbours that vote on the task. */
  taskK: number;
}

const paramsSchema = z
  .object({
    k: z.number().int().positive().max(10_000).optional(),
    power: z.number().min(0).max(16).optional(),
    priorWeight: z.number().min(0).optional(),
    taskK: z.number().int().positive().max(10_000).optional(),
    /** Choose the parameters by leave-one-out routing AIQ on the training split (default: on unless all are given). */
    tune: z.boolean().optional(),
  })
  .strict();

const defaults: TaskKnnParams = { k: 40, power: 1, priorWeight: 4, taskK: 20 };
const GRID = { k: [10, 20, 40, 80, 160], power: [1, 2], priorWeight: [1, 4, 16], taskK: [10, 40] } as const;
const MAX_QUERIES = 2000;

const stateSchema = z.object({
  kind: z.literal("task-knn"),
  params: z.object({ k: z.number(), power: z.number(), priorWeight: z.number(), taskK: z.number() }),
  tasks: z.array(z.string()).min(1),
  taskOf: encodedArraySchema,
  taskMeans: z.array(z.array(z.number())),
  knn: z.object({ kind: z.literal("knn") }).passthrough(),
  tuning: z.unknown().optional(),
});

/** Per-task sums and counts of training scores, so a row's own scores can be left out (leave-one-out). */
interface TaskTotals {
  sums: Float64Array[];
  counts: Float64Array;
}

/**
 * kNN with a task prior: the training prompts' task labels (`task` in the data) become a classifier,
 * the query's neighbours vote on its task, and its predicted quality is the similarity-weighted mean over
 * the neighbours OF THAT TASK, shrunk toward the task's mean scores (not the global mean). Per-task
 * priors are the strongest simple signal on multi-task routing data (RouterBench, Hu et al. 2024, report
 * per-task model rankings); kNN refines them within the task ("When Simple kNN Beats Complex Learned
 * Routers", 2025).
 */
export class TaskKnnRouter implements Router {
  readonly kind = "task-knn";
  readonly followsObjective = true;
  readonly models: readonly string[];
  readonly params: TaskKnnParams;
  readonly knn: KnnRouter;
  private readonly taskOf: Uint32Array;
  private readonly taskMeans: Float64Array[];
  private readonly tasks: readonly string[];
  private readonly tuning: unknown;

  constructor(options: { knn: KnnRouter; params: TaskKnnParams; tasks: readonly string[]; taskOf: Uint32Array; taskMeans: Float64Array[]; tuning?: unknown }) {
    this.knn = options.knn;
    this.models = options.knn.models;
    this.params = options.params;
    this.tasks = options.tasks;
    this.taskOf = options.taskOf;
    this.taskMeans = options.taskMeans;
    this.tuning = options.tuning;
  }

  predictQuality(input: RouteInput): Float64Array {
    return this.predictFromNeighbours(this.knn.neighbours(input, Math.max(this.params.k, this.params.taskK)), this.params, this.taskMeans);
  }

  /** Prediction from already-found neighbours and given task means (leave-one-out tuning passes its own). */
  predictFromNeighbours(neighbours: Neighbours, params: TaskKnnParams, taskMeans: readonly Float64Array[]): Float64Array {
    const m = this.models.length;
    const votes = new Float64Array(this.tasks.length);
    const voters = Math.min(params.taskK, neighbours.count);
    for (let r = 0; r < voters; r++) {
      const similarity = neighbours.similarities[r]!;
      if (similarity <= 0) break;
      votes[this.taskOf[neighbours.indices[r]!]!]! += similarity;
    }
    let task = 0;
    for (let t = 1; t < votes.length; t++) if (votes[t]! > votes[task]!) task = t;
    const prior = taskMeans[task]!;
    const sums = new Float64Array(m);
    let totalWeight = 0;
    const scores = this.knn.scoreMatrix;
    const count = Math.min(params.k, neighbours.count);
    for (let r = 0; r < count; r++) {
      const similarity = neighbours.similarities[r]!;
      if (similarity <= 0) break;
      const row = neighbours.indices[r]!;
      if (this.taskOf[row] !== task) continue;
      const weight = params.power === 0 ? 1 : Math.pow(similarity, params.power);
      for (let j = 0; j < m; j++) sums[j]! += weight * scores[row * m + j]!;
      totalWeight += weight;
    }
    const prediction = new Float64Array(m);
    const denominator = totalWeight + params.priorWeight;
    for (let j = 0; j < m; j++) prediction[j] = denominator > 0 ? (sums[j]! + params.priorWeight * prior[j]!) / denominator : prior[j]!;
    return prediction;
  }

  explain(input: RouteInput): string[] {
    return this.knn.explain(input);
  }

  toState(): RouterState {
    return {
      kind: "task-knn",
      params: this.params,
      tasks: [...this.tasks],
      taskOf: uint32ToBase64(this.taskOf),
      taskMeans: this.taskMeans.map((row) => Array.from(row)),
      knn: this.knn.toState(),
      tuning: this.tuning,
    };
  }
}

function taskTotals(data: TrainingSet, taskOf: Uint32Array, taskCount: number): TaskTotals {
  const m = data.models.length;
  const sums = Array.from({ length: taskCount }, () => new Float64Array(m));
  const counts = new Float64Array(taskCount);
  data.examples.forEach((example, i) => {
    const t = taskOf[i]!;
    counts[t]!++;
    data.models.forEach((model, j) => (sums[t]![j]! += example.outcomes[model]?.score ?? 0));
  });
  return { sums, counts };
}

/** Task means, optionally leaving row `exclude` out of its own task's mean. */
function taskMeansOf(totals: TaskTotals, data: TrainingSet, taskOf: Uint32Array, exclude = -1): Float64Array[] {
  return totals.sums.map((sum, t) => {
    let count = totals.counts[t]!;
    const mean = Float64Array.from(sum);
    if (exclude >= 0 && taskOf[exclude] === t) {
      count--;
      data.models.forEach((model, j) => (mean[j]! -= data.examples[exclude]!.outcomes[model]?.score ?? 0));
    }
    for (let j = 0; j < mean.length; j++) mean[j] = count > 0 ? mean[j]! / count : 0;
    return mean;
  });
}

/** Trains the {@link TaskKnnRouter}; with `tune` (the default) picks its parameters by leave-one-out routing AIQ. */
export const taskKnnRouterTrainer: RouterTrainer = {
  kind: "task-knn",
  description: "kNN within the neighbours' majority task, shrunk toward that task's mean scores (per-task priors, RouterBench; kNN routing)",
  servable: true,
  train(data: TrainingSet, options) {
    const given = parseRouterParams("task-knn", paramsSchema, options.params);
    const tasks = [...new Set(data.examples.map((example) => example.task ?? ""))].sort();
    const taskIndex = new Map(tasks.map((task, t) => [task, t]));
    const taskOf = Uint32Array.from(data.examples, (example) => taskIndex.get(example.task ?? "")!);
    const knn = knnRouterTrainer.train(data, { seed: options.seed, params: { k: 1, power: 1, priorWeight: 0, tune: false } });
    if (!(knn instanceof KnnRouter)) throw new SwitchyardError("internal_error", "task-knn: knn trainer returned another router");
    const totals = taskTotals(data, taskOf, tasks.length);
    const taskMeans = taskMeansOf(totals, data, taskOf);
    const fixed: TaskKnnParams = { k: given.k ?? defaults.k, power: given.power ?? defaults.power, priorWeight: given.priorWeight ?? defaults.priorWeight, taskK: given.taskK ?? defaults.taskK };
    const shouldTune = given.tune ?? [given.k, given.power, given.priorWeight, given.taskK].some((value) => value === undefined);
    const build = (params: TaskKnnParams, tuning?: unknown): TaskKnnRouter => new TaskKnnRouter({ knn, params, tasks, taskOf, taskMeans, tuning });
    const n = data.examples.length;
    if (!shouldTune || n < 20) return build(fixed);
    const router = build(fixed);
    const queries = shuffled(Array.from({ length: n }, (_, i) => i), createRandom(options.seed)).slice(0, Math.min(MAX_QUERIES, n));
    const grid = (name: keyof TaskKnnParams): readonly number[] => (given[name] !== undefined ? [given[name]] : GRID[name]);
    const maxK = Math.min(n - 1, Math.max(...grid("k"), ...grid("taskK")));
    const found = queries.map((i) => knn.neighbours({ embedding: data.embeddings[i]!, sparseEmbedding: data.sparseEmbeddings?.[i] }, maxK, i));
    const priors = queries.map((i) => taskMeansOf(totals, data, taskOf, i));
    const costs = queries.map((i) => predictedCostsOf(data, i));
    const rows = queries.map((i) => data.examples[i]!);
    const scoreOf = (params: TaskKnnParams): number => routingScore(rows, data.models, { quality: found.map((neighbours, q) => router.predictFromNeighbours(neighbours, params, priors[q]!)), costUsd: costs });
    let best = fixed;
    let bestScore = scoreOf(fixed);
    const defaultScore = bestScore;
    let tried = 0;
    for (const k of grid("k")) for (const power of grid("power")) for (const priorWeight of grid("priorWeight")) for (const taskK of grid("taskK")) {
      const params = { k, power, priorWeight, taskK };
      const score = scoreOf(params);
      tried++;
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = params;
      }
    }
    return build(best, { criterion: "leave-one-out routing AIQ on the training split", queries: queries.length, bestScore, defaultScore, tried });
  },
  fromState(state) {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", `task-knn router state is invalid at ${parsed.error.issues[0]?.path.join(".") || "(root)"}`);
    const s = parsed.data;
    const knn = knnRouterTrainer.fromState(s.knn as RouterState);
    if (!(knn instanceof KnnRouter)) throw new SwitchyardError("invalid_artifact", "task-knn router state: inner knn state is invalid");
    const taskOf = uint32FromBase64(s.taskOf);
    if (taskOf.length !== knn.size || s.taskMeans.length !== s.tasks.length || taskOf.some((t) => t >= s.tasks.length)) throw new SwitchyardError("invalid_artifact", "task-knn router state: task arrays do not match");
    return new TaskKnnRouter({ knn, params: s.params, tasks: s.tasks, taskOf, taskMeans: s.taskMeans.map((row) => Float64Array.from(row)), tuning: s.tuning });
  },
};
