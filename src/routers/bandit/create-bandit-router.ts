import type { CostModel } from "../../core/cost-model.js";
import { fitLogTokenScale, type LogTokenScale } from "../../math/log-token-feature.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { banditParamsSchema, type BanditKind, type BanditParams } from "./bandit-params.js";
import { BanditRouter } from "./bandit-router.js";
import { PriorQuality } from "./prior-quality.js";

/** Looks up a registered router trainer by kind (passed in to avoid an import cycle with the registry). */
export type TrainerResolver = (kind: string) => RouterTrainer;

/** Token standardisation used when nothing is known about the traffic yet (log(1 + 200 tokens) ± 1.5). */
export const DEFAULT_TOKEN_SCALE: LogTokenScale = { mean: Math.log1p(200), scale: 1.5 };

/** Options of {@link createBanditRouter}. */
export interface CreateBanditRouterOptions {
  kind: BanditKind;
  /** Raw parameters (validated here: a bad one is an `invalid_config` error naming it). */
  params?: Record<string, unknown>;
  models: readonly string[];
  /** Width of the embeddings the router will see (the artifact's embedder dimension). */
  inputDimension: number;
  /** Standardisation of log(1 + prompt tokens); fit it on (unlabelled) prompts when there are some. */
  tokenScale?: LogTokenScale;
  seed: number;
  /** Warm start: an offline router's state (rebuilt with `resolve`); absent = cold start at `priorQuality`. */
  priorRouter?: RouterState;
  resolve?: TrainerResolver;
  /** The engine's cost model: ratio learning falls back to it, and the hybrid model's price descriptors come from it. */
  costModel?: CostModel;
}

/** Standardised log predicted cost of each model at a typical prompt (the hybrid model's target descriptor). */
function priceDescriptors(models: readonly string[], costModel: CostModel | undefined, tokenScale: LogTokenScale): Record<string, number> {
  if (!costModel) return {};
  const tokens = Math.expm1(tokenScale.mean);
  const logs = models.map((model) => Math.log(Math.max(1e-12, costModel.predict(model, tokens))));
  const mean = logs.reduce((a, b) => a + b, 0) / Math.max(1, logs.length);
  const std = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, logs.length)) || 1;
  return Object.fromEntries(models.map((model, i) => [model, (logs[i]! - mean) / std]));
}

/**
 * A bandit router with no feedback yet: cold (prior quality `priorQuality` for every model) or warm
 * (the prior is `priorRouter`'s prediction, PILOT-style). Nothing is learned from labels here.
 *
 * @example
 * const router = createBanditRouter({ kind: "linucb", models: ["a", "b"], inputDimension: 4096, seed: 1 });
 */
export function createBanditRouter(options: CreateBanditRouterOptions): BanditRouter {
  const params: BanditParams = parseRouterParams(options.kind, banditParamsSchema, options.params);
  const tokenScale = options.tokenScale ?? DEFAULT_TOKEN_SCALE;
  const prior =
    options.priorRouter && options.resolve
      ? new PriorQuality({ kind: "router", router: options.resolve(options.priorRouter.kind).fromState(options.priorRouter) }, params.newModelPrior)
      : new PriorQuality({ kind: "constant", quality: params.priorQuality }, params.newModelPrior);
  return new BanditRouter({
    kind: options.kind,
    params,
    models: options.models,
    features: { inputDimension: options.inputDimension, sketchDimension: params.dimension, sketchSeed: options.seed, tokenMean: tokenScale.mean, tokenScale: tokenScale.scale },
    prior,
    priorState: options.priorRouter ? { kind: "router", router: options.priorRouter } : { kind: "constant", quality: params.priorQuality },
    costModel: options.costModel,
    descriptors: priceDescriptors(options.models, options.costModel, tokenScale),
  });
}

/**
 * Feeds a labelled set to the bandit as full-information feedback: every model's score on every prompt is
 * one observation (no exploration is needed when all outcomes are known). Used by `train --router linucb
 * --dataset D` and by a warm start given extra labelled prompts; the discount is not applied (the
 * rows have no time order).
 */
export function fitBanditOnLabels(router: BanditRouter, data: TrainingSet): void {
  for (let i = 0; i < data.examples.length; i++) {
    const example = data.examples[i]!;
    const input = { text: example.prompt, embedding: data.embeddings[i]!, sparseEmbedding: data.sparseEmbeddings?.[i], promptTokens: data.promptTokens[i]! };
    for (const model of data.models) {
      const outcome = example.outcomes[model];
      // Costs are not fed: the cost model was fitted on these same rows, so its ratio is 1 by construction.
      if (outcome) router.learn({ input, model, reward: outcome.score }, { discount: false });
    }
  }
}

/** Token standardisation fitted on a training set's prompts. */
export function tokenScaleOf(data: TrainingSet): LogTokenScale {
  return fitLogTokenScale(data.promptTokens);
}
