import { z } from "zod";
import { CostModel } from "../../core/cost-model.js";
import { SwitchyardError } from "../../core/errors.js";
import { assertTrainingSet } from "../assert-training-set.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer } from "../router-trainer.js";
import { banditParamsSchema, type BanditKind } from "./bandit-params.js";
import { BANDIT_STATE_VERSION, BanditRouter } from "./bandit-router.js";
import { createBanditRouter, fitBanditOnLabels, tokenScaleOf, type TrainerResolver } from "./create-bandit-router.js";
import { PriorQuality } from "./prior-quality.js";

const armSchema = z.object({ gram: z.array(z.number()), response: z.array(z.number()), ridge: z.array(z.number().min(0)), observations: z.number().min(0), cursor: z.number().int().min(0).optional() });

const stateSchema = z.object({
  kind: z.enum(["linucb", "thompson", "eps-greedy"]),
  version: z.literal(BANDIT_STATE_VERSION),
  models: z.array(z.string()).min(1),
  params: banditParamsSchema,
  features: z.object({
    inputDimension: z.number().int().positive(),
    sketchDimension: z.number().int().positive(),
    sketchSeed: z.number().int(),
    tokenMean: z.number(),
    tokenScale: z.number().positive(),
  }),
  prior: z.union([z.object({ kind: z.literal("constant"), quality: z.number().min(0).max(1) }), z.object({ kind: z.literal("router"), router: z.looseObject({ kind: z.string() }) })]),
  costModel: z.looseObject({ kind: z.string() }).optional(),
  arms: z.record(z.string(), armSchema),
  costRatios: z.record(z.string(), z.object({ realUsd: z.number().min(0), predictedUsd: z.number().min(0) })),
  shared: z.object({ arm: armSchema, descriptors: z.record(z.string(), z.number()) }).optional(),
  added: z.array(z.string()).default([]),
  restarted: z.array(z.string()).default([]),
  detectors: z
    .record(
      z.string(),
      z.object({
        up: z.number().min(0),
        down: z.number().min(0),
        count: z.number().int().min(0),
        upSum: z.number().finite().optional(),
        upRun: z.number().int().min(0).optional(),
        downSum: z.number().finite().optional(),
        downRun: z.number().int().min(0).optional(),
      }),
    )
    .default({}),
  levels: z.record(z.string(), z.number().finite()).default({}),
  anchorPriors: z
    .record(
      z.string(),
      z
        .object({
          intercept: z.number().finite(),
          weights: z.record(z.string(), z.number().finite()),
          models: z.array(z.string()).optional(),
          gram: z.array(z.number().finite()).optional(),
          right: z.array(z.number().finite()).optional(),
        })
        .refine(({ models, gram, right }) => (models === undefined && gram === undefined && right === undefined) || (models !== undefined && gram?.length === (models.length + 1) ** 2 && right?.length === models.length + 1), {
          message: "a read-out's statistics need models, a (models + 1)² gram and a models + 1 right-hand side",
        }),
    )
    .default({}),
  steps: z.number().int().min(0),
});

const DESCRIPTIONS: Record<BanditKind, string> = {
  linucb: "contextual bandit learning from served traffic: LinUCB with per-target (and optionally shared, hybrid) discounted ridge models, warm-startable from any artifact (Li et al. 2010; PILOT, Panda et al. 2025)",
  thompson: "contextual bandit learning from served traffic: linear Thompson sampling over discounted per-target ridge posteriors (Agrawal & Goyal 2013)",
  "eps-greedy": "contextual bandit baseline learning from served traffic: ε-greedy over discounted per-target ridge models",
};

/**
 * The trainer of one bandit strategy. `train` fits the bandit statistics on the set's full labels (every
 * model's score on every prompt, `fitLabels`, default true) — a cold bandit that then keeps learning
 * online; a warm start from an existing artifact is `warmStartArtifact` (`train --warm-start`).
 */
export function createBanditRouterTrainer(kind: BanditKind, resolve: TrainerResolver): RouterTrainer {
  return {
    kind,
    description: DESCRIPTIONS[kind],
    servable: true,
    train(data, options) {
      assertTrainingSet(kind, data);
      const router = createBanditRouter({
        kind,
        params: options.params,
        models: data.models,
        inputDimension: data.embeddings[0]!.length,
        tokenScale: tokenScaleOf(data),
        seed: options.seed,
        resolve,
      });
      if (router.params.fitLabels) fitBanditOnLabels(router, data);
      return router;
    },
    fromState(state: RouterState) {
      const parsed = stateSchema.safeParse(state);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new SwitchyardError("invalid_artifact", `${kind} router state is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
      }
      const s = parsed.data;
      const p = Math.min(s.features.inputDimension, s.features.sketchDimension) + 2;
      const triangle = (p * (p + 1)) / 2;
      for (const model of s.models) {
        const arm = s.arms[model];
        if (!arm) throw new SwitchyardError("invalid_artifact", `${kind} router state: no arm for model ${JSON.stringify(model)}`);
        if (arm.gram.length !== triangle || arm.response.length !== p || arm.ridge.length !== p) throw new SwitchyardError("invalid_artifact", `${kind} router state: arms.${model} has the wrong size for ${p} features`);
      }
      const prior =
        s.prior.kind === "router"
          ? new PriorQuality({ kind: "router", router: resolve(s.prior.router.kind).fromState(s.prior.router) }, s.params.newModelPrior)
          : new PriorQuality({ kind: "constant", quality: s.prior.quality }, s.params.newModelPrior);
      return new BanditRouter({
        kind: s.kind,
        params: s.params,
        models: s.models,
        features: s.features,
        prior,
        priorState: s.prior,
        costModel: s.costModel ? CostModel.fromState(s.costModel) : undefined,
        arms: s.arms,
        costRatios: s.costRatios,
        shared: s.shared,
        added: s.added,
        restarted: s.restarted,
        detectors: s.detectors,
        anchorPriors: s.anchorPriors,
        levels: s.levels,
        steps: s.steps,
      });
    },
  };
}
