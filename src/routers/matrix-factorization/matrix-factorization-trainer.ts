import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom } from "../../core/random.js";
import type { SparseVector } from "../../embedders/sparse-vector.js";
import { binaryCrossEntropyWithLogit, logit, sigmoid, softplusNegative } from "../../math/scalar-functions.js";
import { columnMeans, scoreMatrixOf } from "../../math/score-matrix.js";
import { holdOutSplit } from "../../math/seeded-init.js";
import { sparseRowsOf, type SparseRows } from "../../math/sparse-rows.js";
import { readStateArray, roundForState, toStateArray } from "../../math/state-arrays.js";
import { assertTrainingSet } from "../assert-training-set.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer, TrainOptions } from "../router-trainer.js";
import { matrixFactorizationParamsSchema, type MatrixFactorizationParams } from "./matrix-factorization-params.js";
import { MatrixFactorizationRouter, type MatrixFactorizationObjective } from "./matrix-factorization-router.js";
import { trainMatrixFactorization, type PromptLoss } from "./train-matrix-factorization.js";

const STATE_VERSION = 1;
const KIND = "matrix-factorization";
/** Fewer prompts than this: no validation split, every epoch runs. */
const MIN_PROMPTS_FOR_VALIDATION = 50;

/** One pairwise judgement: on prompt `promptIndex`, model `winner`'s answer beat model `loser`'s. */
export interface Preference {
  promptIndex: number;
  winner: string;
  loser: string;
}

/** Training data of {@link trainMatrixFactorizationFromPreferences}: prompt embeddings, the models, the judgements. */
export interface PreferenceTrainingSet {
  embeddings: readonly Float32Array[];
  sparseEmbeddings?: readonly SparseVector[];
  models: readonly string[];
  preferences: readonly Preference[];
}

const stateSchema = z.object({
  kind: z.literal(KIND),
  version: z.literal(STATE_VERSION),
  objective: z.enum(["pointwise", "pairwise"]),
  models: z.array(z.string()).min(1),
  inputDimension: z.number().int().positive(),
  dimension: z.number().int().positive(),
  projection: z.array(z.unknown()),
  modelVectors: z.array(z.unknown()),
  modelBias: z.array(z.unknown()),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** JSON-safe state of a trained {@link MatrixFactorizationRouter}. */
export type MatrixFactorizationRouterState = z.infer<typeof stateSchema>;

function routerOf(state: MatrixFactorizationRouterState): MatrixFactorizationRouter {
  const m = state.models.length;
  const { inputDimension, dimension: d } = state;
  return new MatrixFactorizationRouter({
    models: state.models,
    objective: state.objective,
    weights: {
      inputDimension,
      dimension: d,
      models: m,
      projection: readStateArray(state.projection, inputDimension * d, `${KIND} router state: projection`),
      modelVectors: readStateArray(state.modelVectors, m * d, `${KIND} router state: modelVectors`),
      modelBias: readStateArray(state.modelBias, m, `${KIND} router state: modelBias`),
    },
    toState: () => structuredClone(state),
  });
}

function fit(options: {
  rows: SparseRows;
  models: readonly string[];
  objective: MatrixFactorizationObjective;
  loss: PromptLoss;
  initialBias: Float64Array;
  promptsWithData: Int32Array;
  params: MatrixFactorizationParams;
  seed: number;
  extra: Record<string, unknown>;
}): MatrixFactorizationRouter {
  const { rows, models, params } = options;
  const random = createRandom(options.seed);
  const prompts = options.promptsWithData;
  const split =
    prompts.length >= MIN_PROMPTS_FOR_VALIDATION ? holdOutSplit(prompts.length, params.validationFraction, random) : { train: Int32Array.from(prompts.keys()), heldOut: new Int32Array(0) };
  const { weights, report } = trainMatrixFactorization(
    { rows, models: models.length, train: split.train.map((i) => prompts[i]!), validation: split.heldOut.map((i) => prompts[i]!), loss: options.loss, initialBias: options.initialBias },
    params,
    random,
  );
  const state: MatrixFactorizationRouterState = {
    kind: KIND,
    version: STATE_VERSION,
    objective: options.objective,
    models: [...models],
    inputDimension: weights.inputDimension,
    dimension: weights.dimension,
    projection: toStateArray(weights.projection),
    modelVectors: toStateArray(weights.modelVectors),
    modelBias: toStateArray(weights.modelBias),
    training: {
      ...options.extra,
      validationPrompts: split.heldOut.length,
      params,
      epochLimit: report.epochLimit,
      epochsRun: report.epochsRun,
      bestEpoch: report.bestEpoch,
      bestValidationLoss: report.bestValidationLoss === null ? null : roundForState(report.bestValidationLoss),
    },
  };
  return routerOf(state);
}

/**
 * Trains RouteLLM's matrix-factorisation router from PAIRWISE preferences ("A beat B on prompt P"),
 * minimising the Bradley–Terry loss −log σ(s(P, A) − s(P, B)). Throws `invalid_dataset` for a
 * preference naming an unknown model, the same model twice, or a prompt index out of range.
 *
 * @example
 * const router = trainMatrixFactorizationFromPreferences(
 *   { embeddings, models: ["gpt-4", "mixtral"], preferences: [{ promptIndex: 0, winner: "gpt-4", loser: "mixtral" }] },
 *   { seed: 7 },
 * );
 */
export function trainMatrixFactorizationFromPreferences(data: PreferenceTrainingSet, options: TrainOptions): MatrixFactorizationRouter {
  const params = parseRouterParams(KIND, matrixFactorizationParamsSchema, options.params);
  const n = data.embeddings.length;
  if (n === 0 || data.models.length < 2) throw new SwitchyardError("invalid_dataset", `${KIND} router: preference training needs prompts and at least two models`);
  if (data.preferences.length === 0) throw new SwitchyardError("invalid_dataset", `${KIND} router: no preferences to train from`);
  const modelIndex = new Map(data.models.map((model, index) => [model, index]));
  const byPrompt: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
  const wins = new Float64Array(data.models.length);
  const games = new Float64Array(data.models.length);
  data.preferences.forEach((preference, i) => {
    const winner = modelIndex.get(preference.winner);
    const loser = modelIndex.get(preference.loser);
    const where = `${KIND} router: preferences[${i}]`;
    if (!Number.isInteger(preference.promptIndex) || preference.promptIndex < 0 || preference.promptIndex >= n) {
      throw new SwitchyardError("invalid_dataset", `${where}.promptIndex: ${preference.promptIndex} is not an index of the ${n} prompts`);
    }
    if (winner === undefined) throw new SwitchyardError("invalid_dataset", `${where}.winner: unknown model ${JSON.stringify(preference.winner)}`);
    if (loser === undefined) throw new SwitchyardError("invalid_dataset", `${where}.loser: unknown model ${JSON.stringify(preference.loser)}`);
    if (winner === loser) throw new SwitchyardError("invalid_dataset", `${where}: winner and loser are the same model`);
    byPrompt[preference.promptIndex]!.push([winner, loser]);
    wins[winner]! += 1;
    games[winner]! += 1;
    games[loser]! += 1;
  });
  // Bradley–Terry loss of a prompt's judgements: Σ −log σ(s_w − s_l); ∂/∂s_w = σ(s_w − s_l) − 1 = −∂/∂s_l.
  const loss: PromptLoss = (row, scores, gradient) => {
    let total = 0;
    for (const [winner, loser] of byPrompt[row]!) {
      const margin = scores[winner]! - scores[loser]!;
      total += softplusNegative(margin);
      if (gradient) {
        const g = sigmoid(margin) - 1;
        gradient[winner]! += g;
        gradient[loser]! -= g;
      }
    }
    return total;
  };
  const promptsWithData = Int32Array.from(byPrompt.flatMap((pairs, row) => (pairs.length > 0 ? [row] : [])));
  return fit({
    rows: sparseRowsOf(data),
    models: data.models,
    objective: "pairwise",
    loss,
    initialBias: Float64Array.from(games, (g, j) => logit(g > 0 ? wins[j]! / g : 0.5, 0.01)),
    promptsWithData,
    params,
    seed: options.seed,
    extra: { prompts: promptsWithData.length, preferences: data.preferences.length },
  });
}

/**
 * Trains the {@link MatrixFactorizationRouter} POINTWISE: binary cross-entropy of σ(s(p, m)) against
 * every model's score on every training prompt (no preferences are derived). Params (all optional):
 * `dimension` (64), `learningRate` (0.003), `weightDecay` (0), `batchSize` (64), `maxEpochs` (40),
 * `patience` (4), `validationFraction` (0.1), `workBudget` (2e10 multiply-adds).
 */
export const matrixFactorizationRouterTrainer: RouterTrainer & { trainFromPreferences: typeof trainMatrixFactorizationFromPreferences } = {
  kind: KIND,
  description: "prompt projection × per-model vectors, σ(⟨W·e(p), v_m⟩ + b_m) (RouteLLM matrix factorisation, Ong et al. 2024; EmbedLLM)",
  servable: true,
  train(data, options) {
    const params = parseRouterParams(KIND, matrixFactorizationParamsSchema, options.params);
    assertTrainingSet(KIND, data);
    const m = data.models.length;
    const scores = scoreMatrixOf(data.examples, data.models);
    // Binary cross-entropy with logits; ∂/∂s = σ(s) − y.
    const loss: PromptLoss = (row, predicted, gradient) => {
      let total = 0;
      for (let model = 0; model < m; model++) {
        const y = scores[row * m + model]!;
        total += binaryCrossEntropyWithLogit(predicted[model]!, y);
        if (gradient) gradient[model] = sigmoid(predicted[model]!) - y;
      }
      return total / m;
    };
    return fit({
      rows: sparseRowsOf(data),
      models: data.models,
      objective: "pointwise",
      loss,
      initialBias: Float64Array.from(columnMeans(scores, m), (mean) => logit(mean, 1e-3)),
      promptsWithData: Int32Array.from(data.examples.keys()),
      params,
      seed: options.seed,
      extra: { examples: data.examples.length },
    });
  },
  trainFromPreferences: trainMatrixFactorizationFromPreferences,
  fromState(state: RouterState) {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_artifact", `${KIND} router state is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
    }
    return routerOf(parsed.data);
  },
};
