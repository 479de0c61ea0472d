import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { PROMPT_FEATURE_NAMES } from "../../features/prompt-features.js";
import { readStateArray, roundForState, toStateArray } from "../../math/state-arrays.js";
import { assertTrainingSet } from "../assert-training-set.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { fitLinear, type LinearFit } from "./fit-linear.js";
import { fitLinearFromFeedback } from "./fit-linear-from-feedback.js";
import type { LinearParams } from "./linear-params.js";
import { linearParamsSchema } from "./linear-params.js";
import { LinearFeatures } from "./linear-features.js";
import { LinearRouter } from "./linear-router.js";

const STATE_VERSION = 1;

const stateSchema = z.object({
  kind: z.literal("linear"),
  version: z.literal(STATE_VERSION),
  models: z.array(z.string()).min(1),
  features: z.object({
    inputDimension: z.number().int().positive(),
    sketchDimension: z.number().int().positive(),
    sketchSeed: z.number().int(),
    tokenMean: z.number(),
    tokenScale: z.number().positive(),
    promptFeatures: z.object({ mean: z.array(z.number()).length(PROMPT_FEATURE_NAMES.length), scale: z.array(z.number().positive()).length(PROMPT_FEATURE_NAMES.length) }).optional(),
  }),
  links: z.array(z.enum(["identity", "logistic"])),
  weights: z.array(z.unknown()),
  penalties: z.array(z.number()),
  cost: z.object({
    used: z.boolean(),
    weights: z.array(z.unknown()),
    smearing: z.array(z.unknown()),
    heldOutMaeUsd: z.object({ learned: z.number().nullable(), default: z.number().nullable() }),
  }),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** JSON-safe state of a trained {@link LinearRouter}. */
export type LinearRouterState = z.infer<typeof stateSchema>;

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? roundForState(value) : null;
}

function routerOf(state: LinearRouterState): LinearRouter {
  const m = state.models.length;
  const width = LinearFeatures.dimensionOf(state.features);
  if (state.links.length !== m) throw new SwitchyardError("invalid_artifact", `linear router state: ${state.links.length} links for ${m} models`);
  return new LinearRouter({
    models: state.models,
    features: state.features,
    links: state.links,
    weights: readStateArray(state.weights, width * m, "linear router state: weights"),
    penalties: state.penalties,
    cost: {
      used: state.cost.used,
      weights: readStateArray(state.cost.weights, width * m, "linear router state: cost.weights"),
      smearing: readStateArray(state.cost.smearing, m, "linear router state: cost.smearing"),
      heldOutMaeUsd: { learned: state.cost.heldOutMaeUsd.learned ?? NaN, default: state.cost.heldOutMaeUsd.default ?? NaN },
    },
    toState: () => structuredClone(state),
  });
}

function stateOf(data: TrainingSet, fit: LinearFit, params: LinearParams): LinearRouterState {
  return {
    kind: "linear",
    version: STATE_VERSION,
    models: [...data.models],
    features: { ...fit.features, tokenMean: roundForState(fit.features.tokenMean), tokenScale: roundForState(fit.features.tokenScale) },
    links: fit.links,
    weights: toStateArray(fit.weights),
    penalties: fit.penalties,
    cost: {
      used: fit.cost.used,
      weights: toStateArray(fit.cost.weights),
      smearing: toStateArray(fit.cost.smearing),
      heldOutMaeUsd: { learned: finiteOrNull(fit.cost.heldOutMaeUsd.learned), default: finiteOrNull(fit.cost.heldOutMaeUsd.default) },
    },
    training: { examples: data.examples.length, params, logisticIterations: fit.logisticIterations },
  };
}

/**
 * Trains the CARROT linear router ({@link LinearRouter}). Params (all optional): `dimension` (512),
 * `l2` ("auto" = k-fold CV over `l2Grid`), `link` ("auto" = logistic for 0/1 scores), `promptFeatures`
 * (false), `folds` (3),
 * `maxIterations` (20), `costModel` ("auto").
 *
 * @example
 * const router = linearRouterTrainer.train(trainingSet, { seed: 7, params: { dimension: 1024 } });
 */
export const linearRouterTrainer: RouterTrainer = {
  kind: "linear",
  description: "per-candidate ridge/logistic quality and log-cost regression on the embedding (CARROT, Somerstep et al. 2025)",
  servable: true,
  train(data, options) {
    const params = parseRouterParams("linear", linearParamsSchema, options.params);
    assertTrainingSet("linear", data);
    return routerOf(stateOf(data, fitLinear(data, params, options.seed), params));
  },
  /** From bandit feedback: per model, inverse-propensity-weighted ridge on the rows it served (see `fitLinearFromFeedback`). */
  trainFromFeedback(data, feedback, options) {
    const params = parseRouterParams("linear", linearParamsSchema, options.params);
    if (params.link === "logistic") throw new SwitchyardError("invalid_config", "linear trained on a decision log fits each model by weighted ridge (identity link); link \"logistic\" is not available", { param: "link" });
    const state = stateOf(data, fitLinearFromFeedback(data, feedback, params, options.seed), params);
    return routerOf({ ...state, penalties: state.penalties.map((penalty) => (Number.isFinite(penalty) ? penalty : 0)), training: { ...state.training, feedback: "bandit: inverse-propensity-weighted ridge per model" } });
  },
  fromState(state: RouterState) {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SwitchyardError("invalid_artifact", `linear router state is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
    }
    return routerOf(parsed.data);
  },
};
