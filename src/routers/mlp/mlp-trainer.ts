import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom } from "../../core/random.js";
import { fitLogTokenScale, logTokenFeature } from "../../math/log-token-feature.js";
import { scoreMatrixOf } from "../../math/score-matrix.js";
import { holdOutSplit } from "../../math/seeded-init.js";
import { sparseRowsOf, withExtraFeature } from "../../math/sparse-rows.js";
import { readStateArray, roundForState, toStateArray } from "../../math/state-arrays.js";
import { assertTrainingSet } from "../assert-training-set.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer } from "../router-trainer.js";
import { mlpParamsSchema } from "./mlp-params.js";
import { MlpRouter } from "./mlp-router.js";
import { trainMlp } from "./train-mlp.js";

const STATE_VERSION = 1;
/** Fewer training prompts than this: no validation split, every epoch runs. */
const MIN_EXAMPLES_FOR_VALIDATION = 50;

const stateSchema = z.object({
  kind: z.literal("mlp"),
  version: z.literal(STATE_VERSION),
  models: z.array(z.string()).min(1),
  inputDimension: z.number().int().min(2),
  hiddenSize: z.number().int().positive(),
  tokens: z.object({ mean: z.number(), scale: z.number().positive() }),
  inputWeights: z.array(z.unknown()),
  hiddenBias: z.array(z.unknown()),
  outputWeights: z.array(z.unknown()),
  outputBias: z.array(z.unknown()),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** JSON-safe state of a trained {@link MlpRouter}. */
export type MlpRouterState = z.infer<typeof stateSchema>;

function routerOf(state: MlpRouterState): MlpRouter {
  const m = state.models.length;
  const { inputDimension: d, hiddenSize: h } = state;
  return new MlpRouter({
    models: state.models,
    tokens: state.tokens,
    weights: {
      inputDimension: d,
      hiddenSize: h,
      outputs: m,
      inputWeights: readStateArray(state.inputWeights, d * h, "mlp router state: inputWeights"),
      hiddenBias: readStateArray(state.hiddenBias, h, "mlp router state: hiddenBias"),
      outputWeights: readStateArray(state.outputWeights, h * m, "mlp router state: outputWeights"),
      outputBias: readStateArray(state.outputBias, m, "mlp router state: outputBias"),
    },
    toState: () => structuredClone(state),
  });
}

/**
 * Trains the {@link MlpRouter}. Params (all optional): `hiddenSize` (128), `dropout` (0.2),
 * `learningRate` (0.001), `weightDecay` (0), `batchSize` (128), `maxEpochs` (40), `patience` (4),
 * `validationFraction` (0.1), `workBudget` (3e10 multiply-adds: caps epochs on large training sets).
 *
 * @example
 * const router = mlpRouterTrainer.train(trainingSet, { seed: 7, params: { hiddenSize: 512 } });
 */
export const mlpRouterTrainer: RouterTrainer = {
  kind: "mlp",
  description: "one wide-hidden-layer network, a sigmoid quality output per candidate (RouterBench's MLP router; WideMLP, Galke & Scherp 2022)",
  servable: true,
  train(data, options) {
    const params = parseRouterParams("mlp", mlpParamsSchema, options.params);
    assertTrainingSet("mlp", data);
    const random = createRandom(options.seed);
    const n = data.examples.length;
    const tokens = fitLogTokenScale(data.promptTokens);
    const rows = withExtraFeature(sparseRowsOf(data), Float64Array.from(data.promptTokens, (t) => logTokenFeature(t, tokens)));
    const split = n >= MIN_EXAMPLES_FOR_VALIDATION ? holdOutSplit(n, params.validationFraction, random) : { train: Int32Array.from({ length: n }, (_, i) => i), heldOut: new Int32Array(0) };
    const { weights, report } = trainMlp(
      { rows, scores: scoreMatrixOf(data.examples, data.models), outputs: data.models.length, train: split.train, validation: split.heldOut },
      params,
      random,
    );
    const state: MlpRouterState = {
      kind: "mlp",
      version: STATE_VERSION,
      models: [...data.models],
      inputDimension: weights.inputDimension,
      hiddenSize: weights.hiddenSize,
      tokens: { mean: roundForState(tokens.mean), scale: roundForState(tokens.scale) },
      inputWeights: toStateArray(weights.inputWeights),
      hiddenBias: toStateArray(weights.hiddenBias),
      outputWeights: toStateArray(weights.outputWeights),
      outputBias: toStateArray(weights.outputBias),
      training: {
        examples: n,
        validationExamples: split.heldOut.length,
        params,
        epochLimit: report.epochLimit,
      epochsRun: report.epochsRun,
        bestEpoch: report.bestEpoch,
        bestValidationLoss: report.bestValidationLoss === null ? null : roundForState(report.bestValidationLoss),
      },
    };
    return routerOf(state);
  },
  fromState(state: RouterState) {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_artifact", `mlp router state is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
    }
    return routerOf(parsed.data);
  },
};
