import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createRandom, shuffled } from "../../core/random.js";
import { HashedTfidfEmbedder } from "../../embedders/hashed-tfidf/index.js";
import { costRowsOf, kFoldIndices } from "../../training/cross-validation.js";
import { subsetTrainingSet } from "../../training/training-set.js";
import { ClusterRouter, refitClusterRouter } from "../cluster/index.js";
import { KnnRouter, TaskKnnRouter } from "../knn/index.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { Router, RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { EnsembleRouter, type EnsembleMember, type MetaModel } from "./ensemble-router.js";
import { defaultMembers, ensembleParamsSchema, memberSpecSchema, type EnsembleParams } from "./ensemble-params.js";
import { promptFeaturesOf } from "../../features/prompt-features.js";
import { fitFeatureScaling, scaledPromptFeatures, type FeatureScaling } from "../../features/prompt-feature-scaling.js";
import { fitQuestionEmbedder, promptView, questionTrainingSet, questionView, type MemberView, type ViewMapper } from "./member-view.js";
import { shareNeighbourSearches } from "./share-neighbour-searches.js";
import { sharedOutOfFoldPredictions, type FoldMember } from "./shared-out-of-fold.js";
import { fitMeta, scoreMetaRecipes, type LevelOneData, type MetaRecipe } from "./select-meta-model.js";

/** Looks up a registered router trainer by kind (passed in to avoid an import cycle with the registry). */
export type TrainerResolver = (kind: string) => RouterTrainer;

const STATE_VERSION = 1;
/** Below this many training prompts the ensemble skips cross-validation and averages its members. */
const MIN_CV_EXAMPLES = 30;

const metaStateSchema = z.union([
  z.object({ kind: z.literal("member"), member: z.number().int().nonnegative() }),
  z.object({ kind: z.literal("average") }),
  z.object({
    kind: z.literal("ridge"),
    features: z.enum(["own", "cross"]),
    penalty: z.number(),
    scaling: z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }),
    weights: z.array(z.array(z.number())),
  }),
]);

const stateSchema = z.object({
  kind: z.literal("ensemble"),
  version: z.literal(STATE_VERSION),
  models: z.array(z.string()).min(1),
  members: z.array(z.object({ view: z.enum(["prompt", "question"]), router: z.object({ kind: z.string() }).passthrough() })).min(1),
  questionEmbedder: z.object({ kind: z.string() }).passthrough().optional(),
  meta: metaStateSchema,
  cv: z.unknown().optional(),
});

interface BuildInput {
  models: readonly string[];
  routers: readonly Router[];
  views: readonly MemberView[];
  questionEmbedder: HashedTfidfEmbedder | undefined;
  meta: MetaModel;
  cv: unknown;
}

function build(input: BuildInput): EnsembleRouter {
  shareNeighbourSearches(input.routers, input.views);
  const members: EnsembleMember[] = input.routers.map((router, k) => {
    const view: ViewMapper = input.views[k] === "question" && input.questionEmbedder ? questionView(input.questionEmbedder) : promptView;
    return { router, view, viewName: input.views[k]!, positions: input.models.map((model) => router.models.indexOf(model)) };
  });
  const toState = (): RouterState => ({
    kind: "ensemble",
    version: STATE_VERSION,
    models: [...input.models],
    members: input.routers.map((router, k) => ({ view: input.views[k]!, router: router.toState() })),
    questionEmbedder: input.questionEmbedder?.toState(),
    meta: input.meta.kind === "ridge" ? { ...input.meta, weights: input.meta.weights.map((w) => Array.from(w)) } : input.meta,
    cv: input.cv,
  });
  return new EnsembleRouter({ models: input.models, members, meta: input.meta, toState });
}

/** What a sampled ensemble training chose, for {@link RouterTrainer.trainLike}: its kept members and meta-model. */
interface EnsembleChoices {
  /** Each kept member: its index among the specs (its seed derives from it), router kind, view and frozen parameters. */
  members: ReadonlyArray<{ index: number; router: string; view: MemberView; params: Record<string, unknown> | undefined }>;
  meta: MetaModel;
  cv: unknown;
}

/** Meta-model recipes to try for the given parameters and member count. */
function recipesFor(params: EnsembleParams, memberCount: number): MetaRecipe[] {
  const recipes: MetaRecipe[] = [];
  for (const kind of params.meta) {
    if (kind === "member") for (let k = 0; k < memberCount; k++) recipes.push({ kind: "member", member: k });
    else if (kind === "average") recipes.push({ kind: "average" });
    else for (const penalty of [...params.penalties].sort((a, b) => b - a)) recipes.push({ kind: "ridge", features: kind === "ridge-own" ? "own" : "cross", penalty });
  }
  return recipes;
}

/**
 * Creates the `ensemble` trainer. Training: every member is trained K times on K−1 folds of the
 * training split to predict the held-out fold (out-of-fold predictions); each candidate meta-model is
 * scored by routing AIQ of its own cross-fitted predictions on those rows; the best is refitted on all
 * out-of-fold rows, and the members are retrained on the whole split. The test split is never touched.
 *
 * Scale: with more than `cvRows` (default 10,000) training prompts, the cross-validation — members'
 * hyper-parameter tuning for the fold models, fold models, out-of-fold predictions, meta-model choice
 * and fit — runs on a seeded sample of `cvRows` prompts; afterwards only the members the chosen
 * meta-model reads are trained on the whole split, kNN members with the hyper-parameters tuned on the
 * sample (`retuneOnAll` re-tunes them on the whole split). Out-of-fold kNN predictions cost O(n²)
 * similarity work, which at 100,000 prompts would take tens of minutes; on the sample the fold models
 * are smaller than the final members (a kNN fold model has 7,500 neighbours to pick from instead of
 * 100,000), so the meta-model is chosen for somewhat weaker members than it is used with. With a
 * sample, a `cluster` member's fold models keep the centroids k-means fitted on the whole sample and
 * re-estimate only their per-cluster quality (`refitClusterRouter`; k-means runs once instead of once
 * per fold): the held-out fold's prompts shaped those centroids, but k-means reads no outcomes, so only
 * unlabeled geometry — never a held-out score — reaches the out-of-fold predictions. Also only with a
 * sample, `trainLike` refits a trained ensemble's choices on other data without cross-validating again
 * (what `trainRouter`'s knob-calibration copy uses). Up to `cvRows` prompts nothing of this applies.
 */
export function createEnsembleRouterTrainer(resolve: TrainerResolver): RouterTrainer {
  // Choices of the ensembles this trainer trained with a CV sample (see trainLike).
  const choicesOf = new WeakMap<EnsembleRouter, EnsembleChoices>();
  return {
    kind: "ensemble",
    description: "stacked ensemble of routers: a meta-model chosen by K-fold CV on out-of-fold member predictions (Wolpert 1992, stacked generalisation)",
    servable: true,
    train(data: TrainingSet, options) {
      const params = parseRouterParams("ensemble", ensembleParamsSchema, options.params);
      const specs = (params.members ?? defaultMembers.filter((spec) => isKnown(resolve, spec.router))).map((spec) => memberSpecSchema.parse(spec));
      if (specs.length === 0) throw new SwitchyardError("invalid_config", "ensemble has no members whose router is registered", { param: "members" });
      for (const spec of specs) {
        if (spec.router === "ensemble" || spec.router === "auto" || spec.router === "oracle") throw new SwitchyardError("invalid_config", `ensemble member router ${JSON.stringify(spec.router)} is not allowed`, { param: "members" });
        resolve(spec.router);
      }
      const questionEmbedder = specs.some((spec) => spec.view === "question") ? fitQuestionEmbedder(data) : undefined;
      // The whole split's question view is built only when a member needs it (with a CV sample, maybe never).
      let questionData: TrainingSet | undefined;
      const viewData = (view: MemberView): TrainingSet => (view === "question" ? (questionData ??= questionTrainingSet(data, questionEmbedder!)) : data);
      const memberOptions = (k: number) => ({ seed: memberSeed(options.seed, k), params: specs[k]!.params });
      const n = data.examples.length;
      const fullRouters: Array<Router | undefined> = specs.map(() => undefined);
      // With a CV sample: options for training member k on the whole split (kNN members reuse the sample's tuning).
      const finalOptions = specs.map((_, k) => memberOptions(k));
      let meta: MetaModel = { kind: "average" };
      let cv: unknown = { skipped: `fewer than ${MIN_CV_EXAMPLES} training prompts` };
      if (n >= MIN_CV_EXAMPLES) {
        // Above `cvRows` prompts the cross-validation runs on a seeded sample of that many (see ensembleParamsSchema).
        const sample = n > params.cvRows ? shuffled(Array.from({ length: n }, (_, i) => i), createRandom(options.seed ^ 0xc5a3)).slice(0, params.cvRows).sort((a, b) => a - b) : undefined;
        const cvData = sample ? subsetTrainingSet(data, sample) : data;
        // The sample's question view is built once (its members share it).
        let cvQuestionData: TrainingSet | undefined;
        const cvViewData = (view: MemberView): TrainingSet => (!sample ? viewData(view) : view === "question" ? (cvQuestionData ??= questionTrainingSet(cvData, questionEmbedder!)) : cvData);
        const rows = cvData.examples.length;
        const folds = kFoldIndices(rows, params.folds, createRandom(options.seed ^ 0x51ac));
        // The member trained on the CV rows lends its tuned hyper-parameters to the fold models; without
        // sampling it is the final member too, with sampling the final members are trained below, and
        // only those the chosen meta-model reads.
        const foldMembers = specs.map((spec, k): FoldMember => {
          const tuned = resolve(spec.router).train(cvViewData(spec.view), memberOptions(k));
          if (!sample) fullRouters[k] = tuned;
          const foldOptions = { ...memberOptions(k), params: foldParamsOf(spec.params, tuned) };
          if (sample && !params.retuneOnAll) finalOptions[k] = foldOptions;
          // With a sample, a cluster member's fold models keep the centroids k-means fitted on the whole sample
          // and re-estimate only the per-cluster quality from their own rows (see refitClusterRouter).
          if (sample && tuned instanceof ClusterRouter) return { view: spec.view, train: (fit) => refitClusterRouter(tuned, fit) };
          return { view: spec.view, train: (fit) => resolve(spec.router).train(fit, foldOptions) };
        });
        const members = sharedOutOfFoldPredictions(foldMembers, cvViewData, folds, data.models);
        const scaling: FeatureScaling = fitFeatureScaling(cvData.examples.map((example) => promptFeaturesOf(example.prompt)));
        const levelOne: LevelOneData = {
          examples: cvData.examples,
          models: data.models,
          members,
          promptFeatures: cvData.examples.map((example) => scaledPromptFeatures(example.prompt, scaling)),
          scaling,
          costUsd: costRowsOf(cvData),
        };
        const { ranked, chosen: winner } = scoreMetaRecipes(recipesFor(params, specs.length), levelOne, folds, params.minGain);
        meta = fitMeta(winner.recipe, levelOne, Array.from({ length: rows }, (_, i) => i));
        cv = {
          ...(sample ? { rows, sampledFrom: n } : {}),
          criterion: `${params.folds}-fold out-of-fold ${data.models.length === 2 ? "APGR" : "routing AIQ"} on the training split${sample ? ` (a seeded sample of ${rows} of its ${n} prompts)` : ""}; the simplest candidate within ${params.minGain} of the best wins`,
          members: specs.map((spec) => `${spec.router}${spec.params ? JSON.stringify(spec.params) : ""}@${spec.view}`),
          candidates: ranked.map(({ name, score }) => ({ name, score: Number(score.toFixed(6)) })),
          chosen: winner.name,
        };
      }
      const routers = specs.map((spec, k) => (meta.kind === "member" && meta.member !== k ? null : (fullRouters[k] ?? resolve(spec.router).train(viewData(spec.view), finalOptions[k]!))));
      // Members the chosen meta-model does not read are kept out of the artifact.
      const kept = meta.kind === "member" ? [meta.member] : specs.map((_, k) => k);
      const ensemble =
        meta.kind === "member"
          ? build({ models: data.models, routers: [routers[meta.member]!], views: [specs[meta.member]!.view], questionEmbedder: specs[meta.member]!.view === "question" ? questionEmbedder : undefined, meta: { kind: "member", member: 0 }, cv })
          : build({ models: data.models, routers: routers as Router[], views: specs.map((spec) => spec.view), questionEmbedder, meta, cv });
      // Only a sampled training's choices are worth reusing (below cvRows the calibration copy is trained as before).
      if (n > params.cvRows) {
        const members = kept.map((k) => ({ index: k, router: specs[k]!.router, view: specs[k]!.view, params: foldParamsOf(specs[k]!.params, routers[k]!) }));
        choicesOf.set(ensemble, { members, meta: ensemble.meta, cv });
      }
      return ensemble;
    },
    /**
     * Refits an ensemble trained with a CV sample (more than `cvRows` prompts) on `data` with the same
     * choices and no cross-validation: the members its meta-model reads, each with the hyper-parameters
     * it was finally trained with (kNN / task-knn tuning frozen), retrained on `data` (a question view
     * refitted on `data`), and the same meta-model (a ridge keeps its weights, fitted on the sample's
     * out-of-fold predictions). Undefined for any other router, then `train` runs as usual.
     */
    trainLike(reference, data, options) {
      const choices = reference instanceof EnsembleRouter ? choicesOf.get(reference) : undefined;
      if (!choices) return undefined;
      const questionEmbedder = choices.members.some((member) => member.view === "question") ? fitQuestionEmbedder(data) : undefined;
      const questionData = questionEmbedder ? questionTrainingSet(data, questionEmbedder) : undefined;
      const routers = choices.members.map((member) => resolve(member.router).train(member.view === "question" ? questionData! : data, { seed: memberSeed(options.seed, member.index), params: member.params }));
      const cv = { reused: "strategy, meta-model and members' hyper-parameters chosen by the training on all prompts; refitted without cross-validation", from: choices.cv };
      return build({ models: data.models, routers, views: choices.members.map((member) => member.view), questionEmbedder, meta: choices.meta, cv });
    },
    fromState(state) {
      const parsed = stateSchema.safeParse(state);
      if (!parsed.success) throw new SwitchyardError("invalid_artifact", `ensemble router state is invalid at ${parsed.error.issues[0]?.path.join(".") || "(root)"}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      const s = parsed.data;
      const routers = s.members.map((member) => resolve(member.router.kind).fromState(member.router as RouterState));
      const questionEmbedder = s.questionEmbedder ? HashedTfidfEmbedder.fromState(s.questionEmbedder) : undefined;
      if (s.members.some((member) => member.view === "question") && !questionEmbedder) throw new SwitchyardError("invalid_artifact", "ensemble router state: a question-view member needs questionEmbedder");
      const meta: MetaModel = s.meta.kind === "ridge" ? { ...s.meta, weights: s.meta.weights.map((w) => Float64Array.from(w)) } : s.meta;
      if (meta.kind === "member" && meta.member >= routers.length) throw new SwitchyardError("invalid_artifact", "ensemble router state: meta member index out of range");
      return build({ models: s.models, routers, views: s.members.map((member) => member.view), questionEmbedder, meta, cv: s.cv });
    },
  };
}

/**
 * Parameters for a member's fold models. A kNN member tunes its hyper-parameters by leave-one-out on
 * the whole training split (itself a cross-validation); its fold models reuse that choice instead of
 * re-tuning K times, which keeps ensemble training about as cheap as K + 1 plain fits.
 */
function foldParamsOf(given: Record<string, unknown> | undefined, fullRouter: Router): Record<string, unknown> | undefined {
  if (fullRouter instanceof KnnRouter) {
    const chosen = fullRouter.params;
    return { ...given, k: chosen.k, power: chosen.power, priorWeight: chosen.priorWeight, minSimilarity: chosen.minSimilarity, tune: false };
  }
  if (fullRouter instanceof TaskKnnRouter) return { ...given, ...fullRouter.params, tune: false };
  return given;
}

/** Seed of member k's trainings. */
function memberSeed(seed: number, k: number): number {
  return seed + 7919 * (k + 1);
}

function isKnown(resolve: TrainerResolver, kind: string): boolean {
  try {
    resolve(kind);
    return true;
  } catch {
    return false;
  }
}
